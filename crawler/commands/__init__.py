"""Project commands: ``crawl`` with an exit status cron can act on."""
