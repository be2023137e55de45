"""Customer analytics (客户分析): new customers, RFM tiers, repurchase rate and the churn
warning list. Read-only; every figure starts from `base.customers` / `base.orders`, which go
through the customers and orders selectors and so through the central scoping. The method of
each figure is written down in docs/analytics.md ("Customer analytics")."""
