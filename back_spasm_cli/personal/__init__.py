"""Personal data: what the person keeps on this machine (the private database and its
migrations, saved checks, the diary, settings). Depends on `knowledge` and `system`."""
