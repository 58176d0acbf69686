"""Cross-cutting pieces every domain uses: errors, database types, pagination, permissions, audit."""
