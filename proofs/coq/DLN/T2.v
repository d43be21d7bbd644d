(* Several data points (SPEC §5.1, FORMAT.md §4.7): the min-norm LP and its duality. *)
From Coq Require Import QArith Qabs List Bool Lia Lqa.
From DLN Require Import Vec T1.
Import ListNotations.
Open Scope Q_scope.

(** * The model *)
(* β on M: Xβ = y (X a list of n rows of length d), and β ≥ 0 for shared *)
Definition feasible2 (m : model) (X : list (list Q)) (y b : list Q) : Prop :=
  length b = length (hd [] X) /\ eqv (matvec X b) y /\
  match m with Shared => Forall (fun bi => 0 <= bi) b | _ => True end.

(* the `t2-min-norm` claim: β is feasible, N(β) = v (N as in T1.v: Σβ_i, 2Σ|β_i|, Σ|β_i|),
   and every feasible β' has N(β') ≥ v *)
Definition t2_min_norm_claim (m : model) (X : list (list Q)) (y b : list Q) (v : Q) : Prop :=
  feasible2 m X y b /\ Nm m b == v /\ forall b', feasible2 m X y b' -> v <= Nm m b'.

(** * The checker: the dual λ gives c = Xᵀλ with c_i ≤ a (|c_i| ≤ a for uv, pm) and λᵀy = v *)
Definition dual_ok (m : model) (c : list Q) : bool :=
  forallb (fun ci => match m with
                     | Shared => Qle_bool (1 * ci) (aN m)
                     | _ => Qle_bool (Qabs (1 * ci)) (aN m)
                     end) c.
Definition check_t2_min_norm (m : model) (X : list (list Q)) (y b : list Q) (v : Q) (lam : list Q) : bool :=
  let d := length (hd [] X) in
  let c := vecmat lam X in
  Nat.eqb (length b) d && Nat.eqb (length c) d &&
  forall2b Qeq_bool (matvec X b) y &&
  match m with Shared => forallb (fun bi => Qle_bool 0 bi) b | _ => true end &&
  Qeq_bool (Nm m b) v && Qeq_bool (dot lam y) v && dual_ok m c.

Lemma eqv_Qeq_trans_dot lam u y : eqv u y -> dot lam u == dot lam y.
Proof. intros H. apply dot_eqv_r. exact H. Qed.

Theorem check_t2_min_norm_sound m X y b v lam :
  check_t2_min_norm m X y b v lam = true -> t2_min_norm_claim m X y b v.
Proof.
  unfold check_t2_min_norm. cbv zeta. intros H.
  apply andb_true_iff in H as [H Hdual]. apply andb_true_iff in H as [H Hy].
  apply andb_true_iff in H as [H HN]. apply andb_true_iff in H as [H Hsign].
  apply andb_true_iff in H as [H Hfeas]. apply andb_true_iff in H as [Hlb Hlc].
  apply Nat.eqb_eq in Hlb, Hlc. apply Qeq_bool_sound in HN, Hy.
  apply forall2b_Forall2 in Hfeas.
  assert (Hfeas' : eqv (matvec X b) y).
  { unfold eqv. clear -Hfeas. induction Hfeas; constructor; [apply Qeq_bool_sound|]; assumption. }
  clear Hfeas. rename Hfeas' into Hfeas.
  unfold dual_ok in Hdual. rewrite forallb_forall in Hdual.
  set (c := vecmat lam X) in *.
  split; [split; [exact Hlb|split; [exact Hfeas|]]|split; [exact HN|]].
  - destruct m; auto. apply Forall_forall. intros bi Hi. rewrite forallb_forall in Hsign.
    apply Qle_bool_sound, Hsign, Hi.
  - intros b' [Hl' [Hf' Hs']].
    assert (E : v == dot c b').
    { rewrite <- Hy. unfold c. rewrite <- dot_matvec_vecmat. symmetry. apply dot_eqv_r. exact Hf'. }
    rewrite E.
    destruct m; simpl Nm.
    + assert (W := wd_shared (fun _ => 1) 1 c b').
      rewrite dot_map_const in W by lia.
      assert (Hc : Forall (fun ci => 1 * ci <= 1) c).
      { apply Forall_forall. intros ci Hi. apply Qle_bool_sound, (Hdual ci Hi). }
      specialize (W Hc Hs'). lra.
    + assert (W := wd_free (fun _ => 2) 1 c b').
      rewrite dot_map_const in W by (rewrite map_length; lia).
      assert (Hc : Forall (fun ci => Qabs (1 * ci) <= 2) c).
      { apply Forall_forall. intros ci Hi. apply Qle_bool_sound, (Hdual ci Hi). }
      specialize (W Hc). lra.
    + assert (W := wd_free (fun _ => 1) 1 c b').
      rewrite dot_map_const in W by (rewrite map_length; lia).
      assert (Hc : Forall (fun ci => Qabs (1 * ci) <= 1) c).
      { apply Forall_forall. intros ci Hi. apply Qle_bool_sound, (Hdual ci Hi). }
      specialize (W Hc). lra.
Qed.
