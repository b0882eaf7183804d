"""Storage: SQLAlchemy tables, the engine and session factory, repositories."""
