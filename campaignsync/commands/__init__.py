"""What the commands beyond build do, as library calls: locales, git workflows, init, new."""
