"""Tariffs: the model, its validator, the bill calculator (pure), rates and bills."""
