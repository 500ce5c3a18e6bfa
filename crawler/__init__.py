"""The Scrapy project: settings, items, site descriptions and spiders of the news crawler."""
