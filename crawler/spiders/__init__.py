"""Spiders: one per site, each a NewsSpider bound to the site's description."""
