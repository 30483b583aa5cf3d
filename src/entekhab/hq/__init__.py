"""The headquarters server: a Django project of thin apps over the pure cores."""
