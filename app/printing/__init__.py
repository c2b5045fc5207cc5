"""Printing with ReportLab: frozen slip data in, PDF bytes out (no Qt)."""
