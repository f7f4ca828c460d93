"""Online and hybrid convenings (issue 15): attendance modes, join details revealed only to the
people entitled to them, personal join links that record online attendance."""
