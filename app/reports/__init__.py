"""Reports (随手拍): categories with deadlines, deadline-bound work orders, ratings, escalation."""
