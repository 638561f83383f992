"""Storage: the only code that knows Redis (key names, Lua scripts, the store)."""
