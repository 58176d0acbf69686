"""Dashboard and accountability: the three rates, rankings, heat map, overdue list and exports."""
