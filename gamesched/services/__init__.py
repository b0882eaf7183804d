"""Use cases: the only way state changes. One transaction each; side effects become rows."""
