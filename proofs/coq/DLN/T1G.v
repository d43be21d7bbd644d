From Coq Require Import QArith List.
From DLN Require Import Vec T1 T1Check.
