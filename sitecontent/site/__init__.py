"""The composition of the site: the only package that imports both apps.

Root URLconf, home page, site-wide search, the sitemaps and the /feeds/ page live here. Below it,
`platforms` imports only sitecontent's shared pieces, and the rest of `sitecontent` never imports
`platforms` (the import-linter contracts in pyproject.toml, run by .ci/run, hold both rules).
"""
