(* The general theorems of the library: none may depend on an axiom (the Makefile fails if
   "Axioms:" appears in this file's output). *)
From DLN Require Import Vec T1 T1Check T1G Agree Network.
(* One audit over the tuple of all of them lists the union of their axioms, walking the
   library once (one walk per theorem cost about 1 s each). *)
Definition library_theorems :=
  (weak_duality,
   vertex_point,
   T1_1_min_norm,
   T1_2_min_sharpness,
   T1_3_coincide,
   T1_4_above,
   T1_4_segment,
   check_min_norm_sound,
   check_min_sharpness_sound,
   check_conflict_sound,
   check_pareto_sound,
   E_segment,
   qf_mom_ok,
   qf_disc_ok,
   psd_ok_sound,
   check_face_sound,
   check_best_linear_sound,
   check_front_sound,
   check_neither_bias_sound,
   check_end_optimal_sound,
   check_bayes_sound,
   E_disc_mom,
   cauchy_schwarz,
   hessian_top_eigenvalue,
   network_link).
Print Assumptions library_theorems.
