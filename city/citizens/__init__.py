"""Citizens (市民): reporting without an account, tracking by an unguessable link, rating the result, 回访."""
