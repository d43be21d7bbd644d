(* The link from the network to the formulas (model shared, one data point, SPEC §2):
   w ↦ β = w⊙w; ‖w‖² = Σβ_i = N(β); on M the Hessian of L is 4aaᵀ with a = x⊙w, and its largest
   eigenvalue, max_{v ≠ 0} vᵀ(4aaᵀ)v / vᵀv, is 4Σx_i²β_i = S(β). The Hessian formula itself
   (∇²L = 4aaᵀ + 2r·diag(x), r = 0 on M) is taken from SPEC §2, not derived here. *)
From Coq Require Import QArith Qabs List Bool Lia Lqa.
From DLN Require Import Vec T1 T1Check T1G.
Import ListNotations.
Open Scope Q_scope.
Arguments Qred : simpl never.
Arguments Qmult : simpl never.
Arguments Qplus : simpl never.
Arguments Qopp : simpl never.

Definition beta_of (w : list Q) : list Q := map (fun wi => wi * wi) w.
Definition norm2 (w : list Q) : Q := dot w w.
Definition avec (x w : list Q) : list Q := map (fun p => fst p * snd p) (combine x w).
(* the Hessian of L at a point of M *)
Definition hessian_on_M (x w : list Q) : list (list Q) := map (scale 4) (outer (avec x w)).

Lemma sum_dot_self w : dot w w == sum (beta_of w).
Proof.
  induction w as [|a w IH]; [reflexivity|]. unfold beta_of in *. simpl map.
  rewrite dot_cons, sum_cons, IH. reflexivity.
Qed.

Theorem norm_is_N w : norm2 w == Nm Shared (beta_of w).
Proof. unfold norm2. simpl. apply sum_dot_self. Qed.

Lemma beta_of_nonneg w : Forall (fun b => 0 <= b) (beta_of w).
Proof.
  apply Forall_forall. intros b Hb. unfold beta_of in Hb. apply in_map_iff in Hb as [a [<- _]]. nra.
Qed.

Lemma dot_avec x w : length x = length w -> dot (avec x w) (avec x w) == dot (sqs x) (beta_of w).
Proof.
  revert w; induction x as [|a x IH]; intros [|b w] H; simpl in H; try discriminate; [reflexivity|].
  unfold avec, sqs, beta_of in *. simpl. rewrite !dot_cons, IH by lia. ring.
Qed.

(* Cauchy–Schwarz *)
Lemma cauchy_schwarz a v : dot a v * dot a v <= dot a a * dot v v.
Proof.
  assert (Hv : 0 <= dot v v).
  { induction v as [|c v IH]; [rewrite dot_nil_l; lra|]. rewrite dot_cons. nra. }
  destruct (Qeq_dec (dot v v) 0) as [Z|Z].
  - (* v = 0 pointwise, so a·v = 0 *)
    assert (E : dot a v == 0).
    { clear Hv. revert a Z; induction v as [|c v IH]; intros a Z; [rewrite dot_nil_r; reflexivity|].
      rewrite dot_cons in Z. assert (0 <= dot v v).
      { clear. induction v as [|c v IH]; [rewrite dot_nil_l; lra|]. rewrite dot_cons. nra. }
      assert (c * c == 0) by nra. assert (Ev : dot v v == 0) by nra.
      assert (Ec : c == 0) by (apply Qmult_integral in H0; destruct H0; auto).
      destruct a as [|b a]; [reflexivity|].
      rewrite dot_cons, (IH a Ev), Ec. ring. }
    rewrite E, Z. lra.
  - set (t := dot a v / dot v v).
    assert (H : 0 <= dot (vsub a (scale t v)) (vsub a (scale t v))).
    { generalize (vsub a (scale t v)). intros u. induction u as [|c u IH]; [rewrite dot_nil_l; lra|].
      rewrite dot_cons. nra. }
    rewrite !dot_vsub_l, !dot_vsub_r, !dot_scale_l, !dot_scale_r, (dot_comm v a) in H.
    assert (Hpos : 0 < dot v v) by (destruct (Qlt_le_dec 0 (dot v v)); [auto | exfalso; apply Z; lra]).
    assert (E : dot a a - t * dot a v - (t * dot a v - t * (t * dot v v)) ==
                dot a a - dot a v * dot a v / dot v v) by (unfold t; field; auto).
    rewrite E in H.
    assert (H2 : dot a v * dot a v / dot v v <= dot a a) by lra.
    assert (E2 : dot a v * dot a v == (dot a v * dot a v / dot v v) * dot v v) by (field; auto).
    rewrite E2. apply Qmult_le_compat_r; [auto | lra].
Qed.

(* the Rayleigh quotient of 4aaᵀ is at most 4‖a‖² = S(β), with equality at v = a *)
Theorem hessian_top_eigenvalue x w :
  length x = length w ->
  (forall v, quad (hessian_on_M x w) v <= Sm Shared x (beta_of w) * dot v v) /\
  quad (hessian_on_M x w) (avec x w) == Sm Shared x (beta_of w) * dot (avec x w) (avec x w).
Proof.
  intros L. unfold hessian_on_M. simpl Sm. rewrite <- (dot_avec x w L).
  split.
  - intros v. rewrite <- (dot_avec x w L), quad_mscale, quad_outer. pose proof (cauchy_schwarz (avec x w) v) as CS.
    setoid_replace (4 * dot (avec x w) (avec x w) * dot v v)
      with (4 * (dot (avec x w) (avec x w) * dot v v)) by ring.
    rewrite (Qmult_comm 4 (dot (avec x w) (avec x w) * dot v v)), (Qmult_comm 4 (_ * _)).
    apply Qmult_le_compat_r; [exact CS | lra].
  - rewrite quad_mscale, quad_outer. ring.
Qed.

(* so on M, with β = w⊙w: N(β) = ‖w‖², β ≥ 0, and S(β) = λ_max(∇²L) *)
Theorem network_link x y w :
  length x = length w -> dot x (beta_of w) == y ->
  feasible Shared x y (beta_of w) /\ norm2 w == Nm Shared (beta_of w) /\
  (forall v, quad (hessian_on_M x w) v <= Sm Shared x (beta_of w) * dot v v) /\
  quad (hessian_on_M x w) (avec x w) == Sm Shared x (beta_of w) * dot (avec x w) (avec x w).
Proof.
  intros L H. split; [split; [unfold beta_of; rewrite map_length; auto | split; [auto | apply beta_of_nonneg]]|].
  split; [apply norm_is_N|]. apply hessian_top_eigenvalue; auto.
Qed.
