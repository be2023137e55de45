"""Customer analytics pages: new customers, RFM, repurchase rate, churn warning."""

urlpatterns: list = []
