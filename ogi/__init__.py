"""ogi: the command-line front of ogi-reports (extract, crawl, sites, report)."""
