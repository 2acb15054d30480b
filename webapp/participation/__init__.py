"""Participation review: the matrix of who took part in what, the engagement policy, flags."""
