"""The offline demo: several government sites in their platforms' real shapes, and a server for them."""
