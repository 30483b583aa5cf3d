"""Headquarters operations (issue 6): committees and decrees, inspections and readiness,
sensitivity, network status, devices through their life, staff and their assignment."""
