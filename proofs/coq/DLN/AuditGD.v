(* The GD theorems of the library (SPEC §4.1). They are about the real numbers, so they rest on
   the three axioms of Coq's reals (ClassicalDedekindReals.sig_forall_dec, sig_not_dec,
   FunctionalExtensionality.functional_extensionality_dep); the trajectory checker's soundness
   also uses Bignums' BigZ, whose primitive 63-bit integers are specified by Coq's own axioms
   (the PrimInt63 and Uint63 names). The Makefile fails on any other axiom. tail_theorem and gd_tail
   use only the three of the reals. *)
From DLN Require Import GD GDCheck GDLearner.
Print Assumptions gd_tail.
Definition gd_theorems :=
  (tail_theorem,
   gd_tail,
   traj_sound,
   check_run_sound,
   check_gd_limit_sound,
   check_learner_sound,
   ends_eq).
Print Assumptions gd_theorems.
