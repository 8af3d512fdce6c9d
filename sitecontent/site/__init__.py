"""The composition of the site (root URLconf, home, search, sitemaps, /feeds/): the only
package that imports both apps (the import-linter contracts in pyproject.toml)."""
