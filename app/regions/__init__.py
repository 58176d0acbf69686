"""Regions (district → street → community → grid), dwelling units and memberships."""
