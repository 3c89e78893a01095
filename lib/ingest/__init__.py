"""Getting data in: validated rows written to the database in one transaction, with an ImportBatch record."""
