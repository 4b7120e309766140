"""Areas: the jurisdiction tree (district › street › community › grid › building)."""
