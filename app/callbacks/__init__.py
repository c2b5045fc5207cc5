"""回访: sampling finished matters for phone callbacks, logging attempts, and the SMS list."""
