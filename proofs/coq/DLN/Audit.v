(* The general theorems of the library: none may depend on an axiom (the Makefile fails if
   "Axioms:" appears in this file's output). *)
From DLN Require Import Vec T1 T1Check T1G Agree Network.
Print Assumptions weak_duality.
Print Assumptions vertex_point.
Print Assumptions T1_1_min_norm.
Print Assumptions T1_2_min_sharpness.
Print Assumptions T1_3_coincide.
Print Assumptions T1_4_above.
Print Assumptions T1_4_segment.
Print Assumptions check_min_norm_sound.
Print Assumptions check_min_sharpness_sound.
Print Assumptions check_conflict_sound.
Print Assumptions check_pareto_sound.
Print Assumptions E_segment.
Print Assumptions qf_mom_ok.
Print Assumptions qf_disc_ok.
Print Assumptions psd_ok_sound.
Print Assumptions check_face_sound.
Print Assumptions check_best_linear_sound.
Print Assumptions check_front_sound.
Print Assumptions check_neither_bias_sound.
Print Assumptions check_end_optimal_sound.
Print Assumptions check_bayes_sound.
Print Assumptions E_disc_mom.
Print Assumptions cauchy_schwarz.
Print Assumptions hessian_top_eigenvalue.
Print Assumptions network_link.
