"""DMN 1.1–1.5 decision models: XML files read into a model and evaluated with gridcase's own FEEL (``feel``)."""
