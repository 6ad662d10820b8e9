"""Questionnaires: the theme taxonomy, the questionnaire document and the presets shipped
with the product (issue 9). Pure data and functions here; templates, versions and their
screens build on them."""
