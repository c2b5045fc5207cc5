"""预约: appointments booked ahead and served at the counter."""
