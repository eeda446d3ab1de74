"""What estimates and change orders (and budgets next) share when Costline writes them: the priced line table
(its form, figures and stored lines) and where a written document stands (draft, queued, in conflict)."""
