"""Smart law enforcement (智慧执法): cases transferred to enforcement, their enforcement_case process, its rows."""
