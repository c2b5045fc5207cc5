"""投诉: complaints, handled without the officer concerned."""
