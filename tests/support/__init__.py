"""What several test directories share: plain modules that tests import."""
