"""Review rules (审核要点, GUIDE section 5) and the finding catalog."""
