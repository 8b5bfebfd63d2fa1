"""Tables people already have: the Contracts Finder website's CSV export and council contracts registers."""
