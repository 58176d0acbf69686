"""Notices (通知公告): scoped, pinned, scheduled, expiring, with read receipts."""
