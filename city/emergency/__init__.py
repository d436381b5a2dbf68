"""Emergency command (应急指挥): a declared emergency switches its area to emergency rules and assembles teams."""
