"""Python around the dbt project: raw-table layout, data generation, loading, summaries."""
