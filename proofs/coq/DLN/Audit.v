From DLN Require Import Vec T1 T1Check T1G.
Print Assumptions T1_1_min_norm.
