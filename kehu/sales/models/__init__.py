from kehu.sales.models.board import BoardTotal
from kehu.sales.models.opportunity import Opportunity, OpportunityLine, StageChange
from kehu.sales.models.pipeline import LostReason, Pipeline, Stage

__all__ = ["BoardTotal", "LostReason", "Opportunity", "OpportunityLine", "Pipeline", "Stage",
           "StageChange"]
