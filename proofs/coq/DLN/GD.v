(* Certified gradient descent, one data point (SPEC §4.1): the exact GD sequence over R and the
   tail theorem, proved once. Model `shared`: β = w ⊙ w, r = ⟨x, β⟩ − y, L = r²/2, and GD at
   rate η is w_{k+1} = w_k ⊙ (1 − 2η r_k x) (the gradient of L in w_i is 2 r x_i w_i). *)
From Coq Require Import Reals Lra Lia List.
Import ListNotations.
Open Scope R_scope.

(** * The model (what a reader checks) *)

(* ⟨u, v⟩ over R, truncated to the shorter list *)
Fixpoint dotR (u v : list R) : R :=
  match u, v with
  | a :: u', b :: v' => a * b + dotR u' v'
  | _, _ => 0
  end.
Fixpoint sumR (l : list R) : R := match l with [] => 0 | a :: l' => a + sumR l' end.

(* f applied to matching entries of two lists *)
Fixpoint zipw (f : R -> R -> R) (u v : list R) : list R :=
  match u, v with
  | a :: u', b :: v' => f a b :: zipw f u' v'
  | _, _ => []
  end.

Definition sq (w : list R) : list R := map (fun t => t * t) w.

(* one GD step on w for the data point (x, y) at rate η *)
Definition gd_step (eta y : R) (x w : list R) : list R :=
  let r := dotR x (sq w) - y in
  zipw (fun xi wi => wi * (1 - 2 * eta * r * xi)) x w.

(* w_k from w_0 = α·1 *)
Fixpoint gd_w (eta y alpha : R) (x : list R) (k : nat) : list R :=
  match k with
  | O => map (fun _ => alpha) x
  | S k' => gd_step eta y x (gd_w eta y alpha x k')
  end.

(* β_k = w_k ⊙ w_k *)
Definition gd_beta eta y alpha x k : list R := sq (gd_w eta y alpha x k).

(* GD converges (every coordinate of β_k) to binf, a zero-loss point *)
Definition gd_converges (eta y alpha : R) (x binf : list R) : Prop :=
  length binf = length x /\
  (forall i, (i < length x)%nat ->
     Un_cv (fun k => nth i (gd_beta eta y alpha x k) 0) (nth i binf 0)) /\
  dotR x binf = y.

(** * Finite sums over an index *)
Fixpoint sumn (d : nat) (f : nat -> R) : R :=
  match d with O => 0 | S d' => sumn d' f + f d' end.

Lemma sumn_ext d f g : (forall i, (i < d)%nat -> f i = g i) -> sumn d f = sumn d g.
Proof.
  induction d; intros H; simpl; [reflexivity|].
  rewrite IHd by (intros; apply H; lia). rewrite H by lia. reflexivity.
Qed.
Lemma sumn_plus d f g : sumn d (fun i => f i + g i) = sumn d f + sumn d g.
Proof. induction d; simpl; [ring|]. rewrite IHd. ring. Qed.
Lemma sumn_scal d c f : sumn d (fun i => c * f i) = c * sumn d f.
Proof. induction d; simpl; [ring|]. rewrite IHd. ring. Qed.
Lemma sumn_le d f g : (forall i, (i < d)%nat -> f i <= g i) -> sumn d f <= sumn d g.
Proof. induction d; intros H; simpl; [lra|]. pose proof (H d ltac:(lia)). pose proof (IHd ltac:(intros; apply H; lia)). lra. Qed.
Lemma sumn_cv d (u : nat -> nat -> R) (l : nat -> R) :
  (forall i, (i < d)%nat -> Un_cv (fun k => u k i) (l i)) ->
  Un_cv (fun k => sumn d (u k)) (sumn d l).
Proof.
  induction d; intros H; simpl.
  - intros e He. exists O. intros. unfold R_dist. rewrite Rminus_eq_0, Rabs_R0. lra.
  - apply CV_plus; [apply IHd; intros; apply H; lia | apply H; lia].
Qed.

Lemma pow_le1 q n : 0 <= q <= 1 -> q ^ n <= 1.
Proof. intros H. rewrite <- (pow1 n). apply pow_incr. lra. Qed.

Lemma geom_sum q n : 0 <= q < 1 -> sumn n (fun j => q ^ j) <= / (1 - q).
Proof.
  intros Hq.
  assert (E : sumn n (fun j => q ^ j) * (1 - q) = 1 - q ^ n).
  { induction n; simpl; [ring|]. rewrite Rmult_plus_distr_r, IHn. ring. }
  assert (0 <= q ^ n) by (apply pow_le; lra).
  apply (Rmult_le_reg_r (1 - q)); [lra|]. rewrite E, Rinv_l by lra. lra.
Qed.

(** * The tail theorem (SPEC §4.1), for coordinates given as functions *)
Section Tail.
Variables (d : nat) (X : nat -> R) (y eta q rho : R) (L U : nat -> R) (B : nat -> nat -> R).

Definition tail_res n := sumn d (fun i => X i * B n i) - y.
Definition tail_phi (b : nat -> R) (r : R) : R :=
  1 - eta * (4 * sumn d (fun i => X i ^ 2 * b i)) + 4 * eta ^ 2 * r * sumn d (fun i => X i ^ 3 * b i).
Definition tail_T i := 2 * eta * Rabs (X i) * rho / (1 - q).

Hypothesis step : forall n i, B (S n) i = B n i * (1 - 2 * eta * tail_res n * X i) ^ 2.
Hypothesis eta_pos : 0 < eta.
Hypothesis q_range : 0 <= q < 1.
Hypothesis r0 : Rabs (tail_res 0) <= rho.
Hypothesis T_small : forall i, (i < d)%nat -> 2 * tail_T i < 1.
Hypothesis B0_nonneg : forall i, (i < d)%nat -> 0 <= B 0 i.
Hypothesis L_ok : forall i, (i < d)%nat -> L i <= B 0 i * (1 - 2 * tail_T i).
Hypothesis U_ok : forall i, (i < d)%nat -> B 0 i <= U i * (1 - 2 * tail_T i).
Hypothesis phi_ok : forall b r, (forall i, (i < d)%nat -> L i <= b i <= U i) -> Rabs r <= rho ->
  Rabs (tail_phi b r) <= q.

Lemma tail_res_step n : tail_res (S n) = tail_res n * tail_phi (B n) (tail_res n).
Proof.
  unfold tail_res at 1, tail_phi.
  set (r := tail_res n).
  rewrite (sumn_ext d (fun i => X i * B (S n) i)
    (fun i => X i * B n i + ((- (4 * eta * r)) * (X i ^ 2 * B n i) + (4 * eta ^ 2 * r ^ 2) * (X i ^ 3 * B n i)))).
  2: { intros i _. rewrite step. fold r. ring. }
  rewrite !sumn_plus, !sumn_scal.
  replace (sumn d (fun i => X i * B n i)) with (r + y) by (unfold r, tail_res; ring).
  ring.
Qed.

Lemma rho_nonneg : 0 <= rho.
Proof. pose proof (Rabs_pos (tail_res 0)). lra. Qed.

Lemma tail_T_nonneg i : 0 <= tail_T i.
Proof.
  unfold tail_T. pose proof rho_nonneg. pose proof (Rabs_pos (X i)).
  apply Rmult_le_pos; [|left; apply Rinv_0_lt_compat; lra].
  repeat apply Rmult_le_pos; lra.
Qed.

(* tail_A n i = Σ_{j<n} |2η r_j x_i|: the total relative change of coordinate i so far *)
Definition tail_A n i := sumn n (fun j => 2 * eta * Rabs (tail_res j) * Rabs (X i)).

Lemma tail_A_nonneg n i : 0 <= tail_A n i.
Proof.
  unfold tail_A. induction n; simpl; [lra|].
  pose proof (Rabs_pos (tail_res n)). pose proof (Rabs_pos (X i)).
  assert (0 <= 2 * eta * Rabs (tail_res n) * Rabs (X i)) by (repeat apply Rmult_le_pos; lra). lra.
Qed.

Lemma tail_A_le_T n i : (forall j, (j < n)%nat -> Rabs (tail_res j) <= q ^ j * rho) -> tail_A n i <= tail_T i.
Proof.
  intros H. unfold tail_A, tail_T.
  apply Rle_trans with (sumn n (fun j => (2 * eta * Rabs (X i) * rho) * q ^ j)).
  - apply sumn_le. intros j Hj. pose proof (H j Hj). pose proof (Rabs_pos (X i)).
    replace (2 * eta * Rabs (tail_res j) * Rabs (X i)) with ((2 * eta * Rabs (X i)) * Rabs (tail_res j)) by ring.
    replace (2 * eta * Rabs (X i) * rho * q ^ j) with ((2 * eta * Rabs (X i)) * (q ^ j * rho)) by ring.
    apply Rmult_le_compat_l; [repeat apply Rmult_le_pos|]; lra.
  - rewrite sumn_scal. unfold Rdiv. apply Rmult_le_compat_l.
    + pose proof rho_nonneg. pose proof (Rabs_pos (X i)). repeat apply Rmult_le_pos; lra.
    + apply geom_sum; lra.
Qed.

Definition tail_inv n :=
  (forall j, (j <= n)%nat -> Rabs (tail_res j) <= q ^ j * rho) /\
  (forall i, (i < d)%nat -> B 0 i * (1 - tail_A n i) ^ 2 <= B n i /\ B n i * (1 - tail_A n i) ^ 2 <= B 0 i).

Lemma inv_box n : tail_inv n -> forall i, (i < d)%nat -> L i <= B n i <= U i.
Proof.
  intros [Hr Hb] i Hi.
  assert (HA : tail_A n i <= tail_T i) by (apply tail_A_le_T; intros; apply Hr; lia).
  pose proof (tail_A_nonneg n i). pose proof (T_small i Hi). pose proof (B0_nonneg i Hi).
  destruct (Hb i Hi) as [Hlo Hhi]. pose proof (L_ok i Hi). pose proof (U_ok i Hi).
  assert (Hsq : 1 - 2 * tail_T i <= (1 - tail_A n i) ^ 2) by nra.
  assert (Hpos : 0 <= B n i) by (apply Rle_trans with (2 := Hlo); apply Rmult_le_pos; [lra|apply pow2_ge_0]).
  split.
  - apply Rle_trans with (B 0 i * (1 - 2 * tail_T i)); [lra|].
    apply Rle_trans with (2 := Hlo). apply Rmult_le_compat_l; lra.
  - assert (B n i * (1 - 2 * tail_T i) <= U i * (1 - 2 * tail_T i)).
    { apply Rle_trans with (B n i * (1 - tail_A n i) ^ 2); [apply Rmult_le_compat_l; lra|lra]. }
    apply Rmult_le_reg_r with (1 - 2 * tail_T i); lra.
Qed.

Lemma inv_0 : tail_inv 0.
Proof.
  split.
  - intros j Hj. replace j with O by lia. simpl. lra.
  - intros i Hi. unfold tail_A. simpl. lra.
Qed.

Lemma inv_S n : tail_inv n -> tail_inv (S n).
Proof.
  intros HI. pose proof (inv_box n HI) as Hbox. destruct HI as [Hr Hb].
  assert (Hrn : Rabs (tail_res n) <= q ^ n * rho) by (apply Hr; lia).
  assert (Hqn : q ^ n <= 1) by (apply pow_le1; lra).
  assert (Hqn0 : 0 <= q ^ n) by (apply pow_le; lra).
  pose proof rho_nonneg.
  assert (Hrho : Rabs (tail_res n) <= rho) by nra.
  assert (Hphi := phi_ok (B n) (tail_res n) Hbox Hrho).
  assert (Hrs : Rabs (tail_res (S n)) <= q ^ S n * rho).
  { rewrite tail_res_step, Rabs_mult. simpl.
    pose proof (Rabs_pos (tail_res n)). pose proof (Rabs_pos (tail_phi (B n) (tail_res n))).
    replace (q * q ^ n * rho) with ((q ^ n * rho) * q) by ring.
    apply Rmult_le_compat; lra. }
  split.
  - intros j Hj. destruct (Nat.eq_dec j (S n)) as [->|]; [exact Hrs|apply Hr; lia].
  - intros i Hi.
    assert (HA : tail_A (S n) i <= tail_T i) by (apply tail_A_le_T; intros; apply Hr; lia).
    pose proof (T_small i Hi). pose proof (tail_A_nonneg n i). pose proof (B0_nonneg i Hi).
    set (a := 2 * eta * Rabs (tail_res n) * Rabs (X i)).
    assert (HAS : tail_A (S n) i = tail_A n i + a) by reflexivity.
    assert (Ha : 0 <= a) by (unfold a; pose proof (Rabs_pos (tail_res n)); pose proof (Rabs_pos (X i)); repeat apply Rmult_le_pos; lra).
    set (t := 2 * eta * tail_res n * X i).
    assert (Hta : Rabs t = a) by (unfold t, a; rewrite !Rabs_mult, (Rabs_pos_eq 2), (Rabs_pos_eq eta); lra).
    assert (Hsmall : tail_A n i + a <= 1 / 2) by lra.
    destruct (Hb i Hi) as [Hlo Hhi].
    assert (HBn : 0 <= B n i) by (apply Rle_trans with (2 := Hlo); apply Rmult_le_pos; [lra|apply pow2_ge_0]).
    rewrite step. fold t. rewrite HAS.
    assert (Ht : - a <= t <= a) by (rewrite <- Hta; split; [pose proof (Rle_abs (- t)); rewrite Rabs_Ropp in *; lra|apply Rle_abs]).
    (* (1 − a)² ≤ (1 − t)² ≤ (1 + a)² *)
    assert (Hq1 : (1 - a) ^ 2 <= (1 - t) ^ 2) by nra.
    assert (Hq2 : (1 - t) ^ 2 <= (1 + a) ^ 2) by nra.
    split.
    + (* B_0 (1 − tail_A − a)² ≤ B_0 (1 − tail_A)² (1 − a)² ≤ B_n (1 − a)² ≤ B_n (1 − t)² *)
      assert (E1 : (1 - (tail_A n i + a)) ^ 2 <= (1 - tail_A n i) ^ 2 * (1 - a) ^ 2).
      { assert (0 <= 1 - (tail_A n i + a) <= (1 - tail_A n i) * (1 - a)) by nra. nra. }
      apply Rle_trans with (B 0 i * ((1 - tail_A n i) ^ 2 * (1 - a) ^ 2)).
      { apply Rmult_le_compat_l; lra. }
      rewrite <- Rmult_assoc.
      apply Rle_trans with (B n i * (1 - a) ^ 2).
      { apply Rmult_le_compat_r; [apply pow2_ge_0|lra]. }
      apply Rmult_le_compat_l; lra.
    + (* B_n (1 − t)² (1 − tail_A − a)² ≤ B_n (1 + a)² (1 − tail_A − a)² ≤ B_n (1 − tail_A)² ≤ B_0 *)
      assert (E2 : (1 + a) ^ 2 * (1 - (tail_A n i + a)) ^ 2 <= (1 - tail_A n i) ^ 2).
      { assert (0 <= (1 + a) * (1 - (tail_A n i + a)) <= 1 - tail_A n i) by nra. nra. }
      apply Rle_trans with (B n i * ((1 + a) ^ 2 * (1 - (tail_A n i + a)) ^ 2)).
      { rewrite <- Rmult_assoc. apply Rmult_le_compat_r; [apply pow2_ge_0|].
        apply Rmult_le_compat_l; lra. }
      apply Rle_trans with (B n i * (1 - tail_A n i) ^ 2); [apply Rmult_le_compat_l; lra|lra].
Qed.

Lemma inv_all n : tail_inv n.
Proof. induction n; [apply inv_0|apply inv_S; assumption]. Qed.

(* a sequence whose steps are bounded by C qⁿ is Cauchy, so it converges *)
Lemma geom_increments_cv (u : nat -> R) C :
  (forall n, Rabs (u (S n) - u n) <= C * q ^ n) -> { l | Un_cv u l }.
Proof.
  intros H. apply R_complete.
  assert (HC : 0 <= C) by (pose proof (H O); pose proof (Rabs_pos (u 1%nat - u 0%nat)); simpl in *; lra).
  assert (Tail : forall m k, Rabs (u (m + k)%nat - u m) <= C * q ^ m / (1 - q)).
  { intros m k.
    assert (forall k, Rabs (u (m + k)%nat - u m) <= C * q ^ m * sumn k (fun j => q ^ j)).
    { induction k0; simpl.
      - rewrite Nat.add_0_r, Rminus_eq_0, Rabs_R0. lra.
      - replace (u (m + S k0)%nat - u m) with ((u (S (m + k0)) - u (m + k0)%nat) + (u (m + k0)%nat - u m))
          by (rewrite Nat.add_succ_r; ring).
        eapply Rle_trans; [apply Rabs_triang|].
        pose proof (H (m + k0)%nat). rewrite pow_add in H0. lra. }
    eapply Rle_trans; [apply H0|]. unfold Rdiv. apply Rmult_le_compat_l.
    + apply Rmult_le_pos; [lra|apply pow_le; lra].
    + apply geom_sum; lra. }
  intros eps Heps.
  destruct (Req_dec C 0) as [C0|C0].
  - exists O. intros n m Hn Hm. unfold R_dist.
    pose proof (Tail O n). pose proof (Tail O m). rewrite C0 in *. simpl in *.
    replace (u n - u m) with ((u n - u O) - (u m - u O)) by ring.
    eapply Rle_lt_trans; [apply Rabs_triang|]. rewrite Rabs_Ropp. unfold Rdiv in *. lra.
  - assert (0 < eps * (1 - q) / (2 * C)) by (apply Rdiv_lt_0_compat; nra).
    destruct (pow_lt_1_zero q ltac:(rewrite Rabs_pos_eq; lra) _ H0) as [N HN].
    exists N. intros n m Hn Hm. unfold R_dist.
    pose proof (HN N (le_n N)). rewrite Rabs_pos_eq in H1 by (apply pow_le; lra).
    assert (Hb : C * q ^ N / (1 - q) < eps / 2).
    { apply Rmult_lt_reg_r with (2 * (1 - q) / C).
      { apply Rdiv_lt_0_compat; lra. }
      field_simplify; try lra.
      apply Rmult_lt_compat_r with (r := 2) in H1; [|lra].
      unfold Rdiv in H1. field_simplify in H1; lra. }
    pose proof (Tail N (n - N)%nat). pose proof (Tail N (m - N)%nat).
    replace (N + (n - N))%nat with n in * by lia. replace (N + (m - N))%nat with m in * by lia.
    replace (u n - u m) with ((u n - u N) - (u m - u N)) by ring.
    eapply Rle_lt_trans; [apply Rabs_triang|]. rewrite Rabs_Ropp. lra.
Qed.

Lemma cv_le_box (u : nat -> R) l lo hi : (forall n, lo <= u n <= hi) -> Un_cv u l -> lo <= l <= hi.
Proof.
  intros Hb Hcv. split; apply Rnot_lt_le; intros Hlt.
  - destruct (Hcv (lo - l) ltac:(lra)) as [N HN]. pose proof (HN N (le_n N)). pose proof (Hb N).
    unfold R_dist in H. apply Rabs_def2 in H. lra.
  - destruct (Hcv (l - hi) ltac:(lra)) as [N HN]. pose proof (HN N (le_n N)). pose proof (Hb N).
    unfold R_dist in H. apply Rabs_def2 in H. lra.
Qed.

(* The tail theorem: GD converges, its limit lies in the box [L, U] and has zero loss. *)
Theorem tail_theorem :
  exists binf : nat -> R,
    (forall i, (i < d)%nat -> Un_cv (fun n => B n i) (binf i)) /\
    (forall i, (i < d)%nat -> L i <= binf i <= U i) /\
    sumn d (fun i => X i * binf i) = y.
Proof.
  pose proof rho_nonneg as Hrho.
  (* each coordinate has increments ≤ 3 U_i · 2η|x_i| ρ qⁿ *)
  assert (Hcv : forall i, (i < d)%nat -> { l | Un_cv (fun n => B n i) l }).
  { intros i Hi. apply (geom_increments_cv _ (3 * U i * (2 * eta * Rabs (X i) * rho))).
    intros n. rewrite step.
    destruct (inv_all n) as [Hr _]. pose proof (Hr n (le_n n)).
    pose proof (inv_box n (inv_all n) i Hi) as Hbox.
    pose proof (T_small i Hi). pose proof (tail_T_nonneg i).
    set (t := 2 * eta * tail_res n * X i).
    assert (Hta : Rabs t <= 2 * eta * Rabs (X i) * rho * q ^ n).
    { unfold t. rewrite !Rabs_mult, (Rabs_pos_eq 2), (Rabs_pos_eq eta) by lra.
      pose proof (Rabs_pos (X i)).
      replace (2 * eta * Rabs (X i) * rho * q ^ n) with ((2 * eta * Rabs (X i)) * (q ^ n * rho)) by ring.
      replace (2 * eta * Rabs (tail_res n) * Rabs (X i)) with ((2 * eta * Rabs (X i)) * Rabs (tail_res n)) by ring.
      apply Rmult_le_compat_l; [repeat apply Rmult_le_pos|]; lra. }
    assert (Ht1 : Rabs t <= 1).
    { assert (2 * eta * Rabs (X i) * rho * q ^ n <= tail_T i).
      { unfold tail_T. assert (q ^ n <= 1) by (apply pow_le1; lra).
        assert (0 <= 2 * eta * Rabs (X i) * rho) by (pose proof (Rabs_pos (X i)); repeat apply Rmult_le_pos; lra).
        apply Rle_trans with (2 * eta * Rabs (X i) * rho). { nra. }
        unfold Rdiv. rewrite <- (Rmult_1_r (2 * eta * Rabs (X i) * rho)) at 1.
        apply Rmult_le_compat_l; [lra|]. rewrite <- Rinv_1. apply Rinv_le_contravar; lra. }
      lra. }
    assert (HBn : 0 <= B n i).
    { destruct (inv_all n) as [_ Hb]. destruct (Hb i Hi) as [Hlo _].
      pose proof (B0_nonneg i Hi). apply Rle_trans with (2 := Hlo). apply Rmult_le_pos; [lra|apply pow2_ge_0]. }
    replace (B n i * (1 - t) ^ 2 - B n i) with (B n i * (t * (t - 2))) by ring.
    rewrite Rabs_mult, Rabs_pos_eq by lra. rewrite Rabs_mult.
    assert (Rabs (t - 2) <= 3).
    { pose proof (Rle_abs t). pose proof (Rle_abs (- t)). rewrite Rabs_Ropp in *.
      apply Rabs_le. lra. }
    pose proof (Rabs_pos t). pose proof (Rabs_pos (t - 2)).
    replace (3 * U i * (2 * eta * Rabs (X i) * rho) * q ^ n) with (U i * (3 * (2 * eta * Rabs (X i) * rho * q ^ n))) by ring.
    apply Rmult_le_compat; try lra. { apply Rmult_le_pos; lra. }
    rewrite Rmult_comm. apply Rmult_le_compat; lra. }
  set (binf := fun i => match lt_dec i d with left Hi => proj1_sig (Hcv i Hi) | right _ => 0 end).
  assert (Hb : forall i, (i < d)%nat -> Un_cv (fun n => B n i) (binf i)).
  { intros i Hi. unfold binf. destruct (lt_dec i d); [apply proj2_sig|lia]. }
  exists binf. split; [exact Hb|]. split.
  - intros i Hi. apply (cv_le_box (fun n => B n i)); [|apply Hb, Hi].
    intros n. apply (inv_box n (inv_all n) i Hi).
  - (* tail_res n → 0 and tail_res n → Σ x_i binf_i − y *)
    assert (H0 : Un_cv tail_res 0).
    { intros eps Heps.
      destruct (Req_dec rho 0) as [R0|R0].
      - exists O. intros n _. unfold R_dist. destruct (inv_all n) as [Hr _]. pose proof (Hr n (le_n n)) as Hrn.
        rewrite R0, Rmult_0_r in Hrn. rewrite Rminus_0_r. pose proof (Rabs_pos (tail_res n)). lra.
      - assert (Hrp : 0 < rho) by lra.
        destruct (pow_lt_1_zero q ltac:(rewrite Rabs_pos_eq; lra) (eps / rho) ltac:(apply Rdiv_lt_0_compat; lra)) as [N HN].
        exists N. intros n Hn. unfold R_dist. rewrite Rminus_0_r.
        destruct (inv_all n) as [Hr _]. pose proof (Hr n (le_n n)) as Hrn. pose proof (HN n Hn) as Hqn.
        rewrite Rabs_pos_eq in Hqn by (apply pow_le; lra).
        apply Rle_lt_trans with (1 := Hrn).
        apply Rmult_lt_compat_r with (r := rho) in Hqn; [|lra].
        unfold Rdiv in Hqn. rewrite Rmult_assoc, Rinv_l, Rmult_1_r in Hqn by lra. exact Hqn. }
    assert (H1 : Un_cv tail_res (sumn d (fun i => X i * binf i) - y)).
    { unfold tail_res. apply CV_minus.
      - apply (sumn_cv d (fun k i => X i * B k i)). intros i Hi.
        apply CV_mult; [intros e He; exists O; intros; unfold R_dist; rewrite Rminus_eq_0, Rabs_R0; lra|].
        apply Hb, Hi.
      - intros e He; exists O; intros; unfold R_dist; rewrite Rminus_eq_0, Rabs_R0; lra. }
    pose proof (UL_sequence _ _ _ H1 H0). lra.
Qed.

End Tail.

(** * From lists to coordinates *)

Lemma sumn_shift n f : sumn (S n) f = f O + sumn n (fun i => f (S i)).
Proof. induction n; simpl in *; [ring|]. rewrite IHn. ring. Qed.

Lemma dotR_sumn u v : length u = length v ->
  dotR u v = sumn (length u) (fun i => nth i u 0 * nth i v 0).
Proof.
  revert v; induction u as [|a u IH]; intros [|b v] H; simpl in H; try discriminate; [reflexivity|].
  cbn [length]. rewrite sumn_shift. simpl. rewrite IH by lia. reflexivity.
Qed.

Lemma length_zipw f u v : length (zipw f u v) = min (length u) (length v).
Proof. revert v; induction u; intros [|b v]; simpl; auto. Qed.

Lemma nth_zipw f u v i : (i < length u)%nat -> length u = length v ->
  nth i (zipw f u v) 0 = f (nth i u 0) (nth i v 0).
Proof.
  revert v i; induction u as [|a u IH]; intros [|b v] i Hi H; simpl in *; try lia.
  destruct i; [reflexivity|]. apply IH; lia.
Qed.

Lemma nth_sq w i : nth i (sq w) 0 = nth i w 0 * nth i w 0.
Proof.
  revert i; induction w; intros [|i]; simpl; try ring; auto.
Qed.

Lemma length_gd_w eta y alpha x k : length (gd_w eta y alpha x k) = length x.
Proof.
  induction k; simpl; [apply map_length|].
  unfold gd_step. rewrite length_zipw, IHk. lia.
Qed.

Lemma length_gd_beta eta y alpha x k : length (gd_beta eta y alpha x k) = length x.
Proof. unfold gd_beta, sq. rewrite map_length. apply length_gd_w. Qed.

(* the residual after k steps *)
Definition gd_res eta y alpha x k := dotR x (gd_beta eta y alpha x k) - y.

Lemma gd_beta_step eta y alpha x k i : (i < length x)%nat ->
  nth i (gd_beta eta y alpha x (S k)) 0 =
  nth i (gd_beta eta y alpha x k) 0 * (1 - 2 * eta * gd_res eta y alpha x k * nth i x 0) ^ 2.
Proof.
  intros Hi. unfold gd_beta at 1. simpl. rewrite nth_sq. unfold gd_step.
  rewrite nth_zipw by (rewrite ?length_gd_w; lia).
  unfold gd_res, gd_beta. rewrite nth_sq. ring.
Qed.

(* The tail theorem for the GD sequence of the model: if its hypotheses hold at step K (the
   box [L, U] around β_K enlarged by the factors 1 − 2T_i, and |φ| ≤ q on [L, U] for |r| ≤ ρ),
   GD converges to a zero-loss point in [L, U]. *)
Theorem gd_tail eta y alpha (x : list R) K q rho (L U : nat -> R) :
  let d := length x in
  let bK i := nth i (gd_beta eta y alpha x K) 0 in
  let tail_T i := 2 * eta * Rabs (nth i x 0) * rho / (1 - q) in
  0 < eta -> 0 <= q < 1 ->
  Rabs (gd_res eta y alpha x K) <= rho ->
  (forall i, (i < d)%nat -> 2 * tail_T i < 1) ->
  (forall i, (i < d)%nat -> L i <= bK i * (1 - 2 * tail_T i)) ->
  (forall i, (i < d)%nat -> bK i <= U i * (1 - 2 * tail_T i)) ->
  (forall b r, (forall i, (i < d)%nat -> L i <= b i <= U i) -> Rabs r <= rho ->
     Rabs (tail_phi d (fun i => nth i x 0) eta b r) <= q) ->
  exists binf, gd_converges eta y alpha x binf /\
    (forall i, (i < d)%nat -> L i <= nth i binf 0 <= U i).
Proof.
  intros d bK tail_T He Hq Hr HT HL HU Hphi.
  set (X i := nth i x 0).
  set (B n i := nth i (gd_beta eta y alpha x (K + n)) 0).
  assert (Hres : forall n, tail_res d X y B n = gd_res eta y alpha x (K + n)).
  { intros n. unfold tail_res, gd_res. rewrite dotR_sumn by (rewrite length_gd_beta; reflexivity). reflexivity. }
  destruct (tail_theorem d X y eta q rho L U B) as [binf [Hcv [Hbox Hzero]]].
  - intros n i. unfold B. rewrite Nat.add_succ_r, Hres.
    destruct (lt_dec i d) as [Hi|Hi].
    + apply gd_beta_step, Hi.
    + rewrite !nth_overflow by (rewrite ?length_gd_beta; unfold d in Hi; lia). ring.
  - exact He.
  - exact Hq.
  - rewrite Hres, Nat.add_0_r. exact Hr.
  - exact HT.
  - intros i Hi. unfold B. rewrite Nat.add_0_r. unfold gd_beta. rewrite nth_sq.
    apply Rle_0_sqr.
  - intros i Hi. unfold B. rewrite Nat.add_0_r. apply HL, Hi.
  - intros i Hi. unfold B. rewrite Nat.add_0_r. apply HU, Hi.
  - exact Hphi.
  - exists (map binf (seq 0 d)).
    assert (Hn : forall i, (i < d)%nat -> nth i (map binf (seq 0 d)) 0 = binf i).
    { intros i Hi. rewrite nth_indep with (d' := binf 0%nat) by (rewrite map_length, seq_length; lia).
      rewrite map_nth, seq_nth by lia. reflexivity. }
    split; [split; [|split]|].
    + rewrite map_length, seq_length. reflexivity.
    + intros i Hi. rewrite Hn by exact Hi.
      intros eps Heps. destruct (Hcv i Hi eps Heps) as [N HN]. exists (K + N)%nat. intros n Hn'.
      specialize (HN (n - K)%nat ltac:(lia)). unfold B in HN. replace (K + (n - K))%nat with n in HN by lia.
      exact HN.
    + rewrite dotR_sumn by (rewrite map_length, seq_length; reflexivity).
      fold d. rewrite <- Hzero. apply sumn_ext. intros i Hi. rewrite Hn by exact Hi. reflexivity.
    + intros i Hi. rewrite Hn by exact Hi. apply Hbox, Hi.
Qed.
