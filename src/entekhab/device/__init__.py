"""The branch device agent: authentication device and electronic ballot box."""
