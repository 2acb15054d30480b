"""Reverse missions: guests, agenda planning with live warnings, itineraries."""
