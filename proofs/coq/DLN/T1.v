(* Setting T1 (SPEC §2): one data point x ∈ Q^d, label y ≠ 0, the zero-loss manifold M.
   Models: shared (β = w⊙w ≥ 0), uv (β = u⊙v, on balanced points), pm (β = u⊙u − v⊙v). *)
From Coq Require Import QArith Qabs List Bool Lia Lqa.
From DLN Require Import Vec.
Import ListNotations.
Open Scope Q_scope.
Arguments Qred : simpl never.
Arguments Qmult : simpl never.
Arguments Qplus : simpl never.
Arguments Qopp : simpl never.

Inductive model := Shared | UV | PM.

(** * The model *)
(* β on M: ⟨x, β⟩ = y, and β ≥ 0 for shared (β = w⊙w) *)
Definition feasible (m : model) (x : list Q) (y : Q) (b : list Q) : Prop :=
  length b = length x /\ dot x b == y /\
  match m with Shared => Forall (fun bi => 0 <= bi) b | _ => True end.

Definition sqs (x : list Q) : list Q := map (fun a => a * a) x.

(* N = ‖θ‖² and S = λ_max of the Hessian 4aaᵀ on M, as functions of β
   (shared: N = Σβ_i, S = 4Σx_i²β_i; uv on balanced points: 2Σ|β_i|, 2Σx_i²|β_i|;
    pm: Σ|β_i|, 4Σx_i²|β_i|) *)
Definition Nm (m : model) (b : list Q) : Q :=
  match m with
  | Shared => sum b
  | UV => 2 * sum (map Qabs b)
  | PM => sum (map Qabs b)
  end.
Definition Sm (m : model) (x b : list Q) : Q :=
  match m with
  | Shared => 4 * dot (sqs x) b
  | UV => 2 * dot (sqs x) (map Qabs b)
  | PM => 4 * dot (sqs x) (map Qabs b)
  end.

(* coordinate x_i can carry the label: x_i·y > 0 (shared), x_i ≠ 0 (uv, pm) *)
Definition carries (m : model) (y xi : Q) : Prop :=
  match m with Shared => 0 < xi * y | _ => ~ xi == 0 end.

(* min-norm / min-sharpness, as optimisation statements over M *)
Definition is_min_norm m x y (v : Q) : Prop :=
  (exists b, feasible m x y b /\ Nm m b == v) /\ forall b, feasible m x y b -> v <= Nm m b.
Definition is_min_sharpness m x y (v : Q) : Prop :=
  (exists b, feasible m x y b /\ Sm m x b == v) /\ forall b, feasible m x y b -> v <= Sm m x b.

(* the vertex of coordinate value xi: (N, S) of β = (y/x_i) e_i *)
Definition aN m : Q := match m with UV => 2 | _ => 1 end.
Definition aS m : Q := match m with UV => 2 | _ => 4 end.
Definition vertex m (y xi : Q) : Q * Q := (aN m * Qabs y / Qabs xi, aS m * Qabs y * Qabs xi).

(* (N, S) lies on or above the line through (n1, s1) and (n2, s2), n1 < n2 *)
Definition on_or_above (n1 s1 n2 s2 N S : Q) : Prop :=
  0 <= (s1 - s2) * (N - n1) + (n2 - n1) * (S - s1).

(** * Weighted costs and weak duality *)
Definition absb m (b : list Q) : list Q := match m with Shared => b | _ => map Qabs b end.
Definition cost m (f : Q -> Q) (x b : list Q) : Q := dot (map f x) (absb m b).
Definition dcond m (lam w xi : Q) : Prop :=
  match m with Shared => lam * xi <= w | _ => Qabs (lam * xi) <= w end.

Lemma wd_shared f lam x b :
  Forall (fun xi => lam * xi <= f xi) x -> Forall (fun bi => 0 <= bi) b ->
  lam * dot x b <= dot (map f x) b.
Proof.
  intros Hx; revert b; induction Hx as [|a x Ha Hx IH]; intros [|c b] Hb.
  - rewrite !dot_nil_l. lra.
  - rewrite !dot_nil_l. lra.
  - simpl map. rewrite !dot_nil_r. lra.
  - inversion Hb; subst. simpl map. rewrite !dot_cons.
    specialize (IH b H2). assert (lam * a * c <= f a * c) by nra. nra.
Qed.

Lemma wd_free f lam x b :
  Forall (fun xi => Qabs (lam * xi) <= f xi) x ->
  lam * dot x b <= dot (map f x) (map Qabs b).
Proof.
  intros Hx; revert b; induction Hx as [|a x Ha Hx IH]; intros [|c b].
  - rewrite !dot_nil_l. lra.
  - rewrite !dot_nil_l. lra.
  - simpl map. rewrite !dot_nil_r. lra.
  - simpl map. rewrite !dot_cons. specialize (IH b).
    assert (lam * a * c <= Qabs (lam * a) * Qabs c).
    { rewrite <- Qabs_Qmult. apply Qle_Qabs. }
    assert (0 <= Qabs c) by apply Qabs_nonneg.
    assert (Qabs (lam * a) * Qabs c <= f a * Qabs c) by nra. nra.
Qed.

Theorem weak_duality m f x y b lam :
  Forall (fun xi => dcond m lam (f xi) xi) x -> feasible m x y b -> lam * y <= cost m f x b.
Proof.
  intros H [_ [Hd Hs]]. rewrite <- Hd. unfold cost.
  destruct m; simpl in *; [apply wd_shared | apply wd_free | apply wd_free]; auto.
Qed.

Lemma dot_map_const (s : Q) (x b : list Q) : length x = length b -> dot (map (fun _ : Q => s) x) b == s * sum b.
Proof.
  revert b; induction x as [|a x IH]; intros [|c b] H; simpl in H; try discriminate.
  - rewrite dot_nil_l. simpl. ring.
  - simpl map. rewrite dot_cons, sum_cons, IH by lia. ring.
Qed.

Lemma dot_map_lin (f g : Q -> Q) al be x v :
  dot (map (fun a => al * f a + be * g a) x) v == al * dot (map f x) v + be * dot (map g x) v.
Proof.
  revert v; induction x as [|a x IH]; intros [|c v]; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try ring.
  rewrite !dot_cons, IH. ring.
Qed.

Lemma dot_map_ext (f g : Q -> Q) x v : (forall a, f a == g a) -> dot (map f x) v == dot (map g x) v.
Proof.
  intros H; revert v; induction x as [|a x IH]; intros [|c v]; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try reflexivity.
  rewrite !dot_cons, IH, H. reflexivity.
Qed.

Lemma length_absb m b : length (absb m b) = length b.
Proof. destruct m; simpl; rewrite ?map_length; reflexivity. Qed.

Lemma dot_map_scale (c : Q) (f : Q -> Q) x v :
  dot (map (fun a => c * f a) x) v == c * dot (map f x) v.
Proof.
  revert v; induction x as [|a x IH]; intros [|e v]; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try ring.
  rewrite !dot_cons, IH. ring.
Qed.

Lemma Nm_cost m x y b : feasible m x y b -> Nm m b == cost m (fun _ => aN m) x b.
Proof.
  intros [Hl _]. unfold cost. rewrite dot_map_const by (rewrite length_absb; auto).
  destruct m; simpl; ring.
Qed.

Lemma Sm_cost m x b : Sm m x b == cost m (fun a => aS m * (a * a)) x b.
Proof.
  destruct m; unfold Sm, cost, sqs, absb; rewrite dot_map_scale; reflexivity.
Qed.

(** * Signs *)
Lemma abs_ratio_carry xk y : 0 < xk * y -> Qabs y * xk / y == Qabs xk.
Proof.
  intros H. destruct (Qlt_le_dec 0 y) as [Hy|Hy].
  - assert (0 < xk) by nra. rewrite !Qabs_pos by lra. field. lra.
  - assert (y < 0) by (destruct (Qeq_dec y 0) as [E|E]; [rewrite E in H; lra | lra]).
    assert (xk < 0) by nra. rewrite !Qabs_neg by lra. field. lra.
Qed.

Lemma abs_ratio_nocarry xk y : ~ y == 0 -> xk * y <= 0 -> Qabs y * xk / y <= 0.
Proof.
  intros Hy0 H. destruct (Qlt_le_dec 0 y) as [Hy|Hy].
  - rewrite Qabs_pos by lra. setoid_replace (y * xk / y) with xk by (field; lra). nra.
  - assert (y < 0) by (destruct (Qeq_dec y 0) as [E|E]; [contradiction | lra]).
    rewrite Qabs_neg by lra. setoid_replace (- y * xk / y) with (- xk) by (field; lra). nra.
Qed.

Lemma dcond_gen m y K f xk :
  0 <= K -> ~ y == 0 ->
  (carries m y xk -> K * Qabs xk <= f xk) -> (~ carries m y xk -> 0 <= f xk) ->
  dcond m (K * Qabs y / y) (f xk) xk.
Proof.
  intros HK Hy Hc Hn.
  assert (Hay : ~ Qabs y == 0).
  { destruct (Qlt_le_dec 0 y); [rewrite Qabs_pos by lra; lra|].
    rewrite Qabs_neg by lra. intros E; apply Hy. lra. }
  destruct m; simpl in *.
  - destruct (Qlt_le_dec 0 (xk * y)) as [C|C].
    + specialize (Hc C). setoid_replace (K * Qabs y / y * xk) with (K * (Qabs y * xk / y))
        by (field; auto). rewrite abs_ratio_carry by auto. auto.
    + assert (0 <= f xk) by (apply Hn; lra).
      setoid_replace (K * Qabs y / y * xk) with (K * (Qabs y * xk / y)) by (field; auto).
      pose proof (abs_ratio_nocarry xk y Hy C). nra.
  -     assert (E : Qabs (K * Qabs y / y * xk) == K * Qabs xk).
    { unfold Qdiv. rewrite !Qabs_Qmult, Qabs_Qinv, (Qabs_pos K) by auto.
      rewrite (Qabs_pos (Qabs y)) by apply Qabs_nonneg. field; auto. }
    rewrite E. destruct (Qeq_dec xk 0) as [Z|Z].
    + assert (Habs : Qabs xk == 0) by (apply Qabs_wd in Z; exact Z).
      rewrite Habs. setoid_replace (K * 0) with 0 by ring. apply Hn. intros C; apply C; auto.
    + apply Hc. auto.
  - assert (E : Qabs (K * Qabs y / y * xk) == K * Qabs xk).
    { unfold Qdiv. rewrite !Qabs_Qmult, Qabs_Qinv, (Qabs_pos K) by auto.
      rewrite (Qabs_pos (Qabs y)) by apply Qabs_nonneg. field; auto. }
    rewrite E. destruct (Qeq_dec xk 0) as [Z|Z].
    + assert (Habs : Qabs xk == 0) by (apply Qabs_wd in Z; exact Z).
      rewrite Habs. setoid_replace (K * 0) with 0 by ring. apply Hn. intros C; apply C; auto.
    + apply Hc. auto.
Qed.

(** * Unit vectors: the vertex points β = (y/x_i)·e_i *)
Fixpoint unitof (w : list Q) (i : nat) (s : Q) : list Q :=
  match w with
  | [] => []
  | _ :: w' => match i with O => s :: map (fun _ => 0) w' | S i' => 0 :: unitof w' i' s end
  end.

Lemma unitof_length w i s : length (unitof w i s) = length w.
Proof.
  revert i; induction w as [|a w IH]; intros [|i]; simpl; rewrite ?map_length, ?IH; auto.
Qed.

Lemma dot_zeros v (w : list Q) : dot v (map (fun _ => 0) w) == 0.
Proof.
  revert v; induction w as [|a w IH]; intros [|c v]; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try reflexivity.
  rewrite dot_cons, IH. ring.
Qed.

Lemma sum_zeros (w : list Q) : sum (map (fun _ => 0) w) == 0.
Proof. induction w as [|a w IH]; simpl map; [reflexivity|]. rewrite sum_cons, IH. ring. Qed.

Lemma dot_unitof v w i s : (i < length w)%nat -> dot v (unitof w i s) == nth i v 0 * s.
Proof.
  revert i v; induction w as [|a w IH]; intros i v Hi; simpl in Hi; [lia|].
  destruct i as [|i]; destruct v as [|c v]; simpl unitof;
    rewrite ?dot_nil_l; simpl nth; try ring.
  - rewrite dot_cons, dot_zeros. ring.
  - rewrite dot_cons, IH by lia. ring.
Qed.

Lemma sum_unitof w i s : (i < length w)%nat -> sum (unitof w i s) == s.
Proof.
  revert i; induction w as [|a w IH]; intros i Hi; simpl in Hi; [lia|].
  destruct i as [|i]; simpl unitof; rewrite sum_cons.
  - rewrite sum_zeros. ring.
  - rewrite IH by lia. ring.
Qed.

Lemma abs_unitof w i s : map Qabs (unitof w i s) = unitof w i (Qabs s).
Proof.
  revert i; induction w as [|a w IH]; intros [|i]; simpl; auto.
  - rewrite map_map. reflexivity.
  - rewrite IH. reflexivity.
Qed.

Lemma unitof_nonneg w i s : 0 <= s -> Forall (fun b => 0 <= b) (unitof w i s).
Proof.
  intros Hs. revert i; induction w as [|a w IH]; intros [|i]; simpl; constructor; auto; try lra.
  apply Forall_forall. intros z Hz. apply in_map_iff in Hz as [? [<- _]]. lra.
Qed.

Lemma nth_sqs x i : (i < length x)%nat -> nth i (sqs x) 0 = nth i x 0 * nth i x 0.
Proof.
  intros H. unfold sqs. rewrite (nth_indep _ 0 (0 * 0)) by (rewrite map_length; auto).
  apply (map_nth (fun a => a * a)).
Qed.

Lemma sq_abs a : a * a == Qabs a * Qabs a.
Proof. rewrite <- Qabs_Qmult. symmetry. apply Qabs_pos. nra. Qed.

Lemma abs_nonzero a : ~ a == 0 -> 0 < Qabs a.
Proof.
  intros H. destruct (Qlt_le_dec 0 a); [rewrite Qabs_pos; lra|].
  rewrite Qabs_neg by lra. destruct (Qeq_dec a 0); [contradiction|lra].
Qed.

Lemma carries_nonzero m y xi : carries m y xi -> ~ xi == 0.
Proof.
  destruct m; simpl; auto. intros H E. rewrite E in H. lra.
Qed.

Lemma carry_div_pos xi y : 0 < xi * y -> 0 <= y / xi.
Proof.
  intros H. destruct (Qlt_le_dec 0 xi).
  - apply Qle_shift_div_l; nra.
  - assert (xi < 0) by (destruct (Qeq_dec xi 0) as [E|E]; [rewrite E in H; lra|lra]).
    setoid_replace (y / xi) with ((- y) / (- xi)) by (field; lra).
    apply Qle_shift_div_l; nra.
Qed.

Lemma abs_div a b : ~ b == 0 -> Qabs (a / b) == Qabs a / Qabs b.
Proof. intros H. unfold Qdiv. rewrite Qabs_Qmult, Qabs_Qinv. reflexivity. Qed.

Definition vbeta (x : list Q) (y : Q) (i : nat) : list Q := unitof x i (y / nth i x 0).

Theorem vertex_point m x y i :
  (i < length x)%nat -> carries m y (nth i x 0) ->
  feasible m x y (vbeta x y i) /\
  Nm m (vbeta x y i) == fst (vertex m y (nth i x 0)) /\
  Sm m x (vbeta x y i) == snd (vertex m y (nth i x 0)).
Proof.
  intros Hi Hc. unfold vbeta, vertex; simpl fst; simpl snd.
  set (xi := nth i x 0) in *.
  pose proof (carries_nonzero _ _ _ Hc) as Hx0. pose proof (abs_nonzero _ Hx0) as Hax.
  split; [split; [apply unitof_length | split]|].
  - rewrite dot_unitof by auto. fold xi. field. auto.
  - destruct m; auto. apply unitof_nonneg, carry_div_pos. auto.
  - destruct m; simpl Nm; simpl Sm; simpl aN; simpl aS;
      rewrite ?abs_unitof, ?sum_unitof, ?dot_unitof, ?nth_sqs by auto; fold xi.
    + simpl in Hc. pose proof (carry_div_pos _ _ Hc).
      split.
      * rewrite <- (Qabs_pos (y / xi)) at 1 by lra. rewrite abs_div by auto. field. lra.
      * assert (E : Qabs y * Qabs xi == xi * y).
        { rewrite <- Qabs_Qmult, Qmult_comm. apply Qabs_pos. lra. }
        setoid_replace (4 * Qabs y * Qabs xi) with (4 * (Qabs y * Qabs xi)) by ring.
        rewrite E. field. auto.
    + rewrite abs_div by auto. rewrite (sq_abs xi). split; field; lra.
    + rewrite abs_div by auto. rewrite (sq_abs xi). split; field; lra.
Qed.

(** * T1.1 and T1.2, for every d, x, y and every model *)
Lemma lam_y K y : ~ y == 0 -> K * Qabs y / y * y == K * Qabs y.
Proof. intros H. field. auto. Qed.

Theorem T1_1_min_norm m x y i :
  ~ y == 0 -> (i < length x)%nat -> carries m y (nth i x 0) ->
  (forall xk, In xk x -> carries m y xk -> Qabs xk <= Qabs (nth i x 0)) ->
  is_min_norm m x y (fst (vertex m y (nth i x 0))).
Proof.
  intros Hy Hi Hc Hmax. destruct (vertex_point m x y i Hi Hc) as [Hf [HN _]].
  split; [exists (vbeta x y i); auto|].
  intros b Hb. set (xi := nth i x 0) in *.
  pose proof (abs_nonzero _ (carries_nonzero _ _ _ Hc)) as Hax.
  assert (HaN : 0 < aN m) by (destruct m; simpl; lra).
  rewrite (Nm_cost _ _ _ _ Hb).
  eapply Qle_trans; [| apply (weak_duality m _ x y b (aN m / Qabs xi * Qabs y / y)); auto].
  - unfold vertex; simpl fst. rewrite lam_y by auto. apply Qle_lteq; right; field. lra.
  - apply Forall_forall. intros xk Hk. apply (dcond_gen m y (aN m / Qabs xi) (fun _ => aN m) xk); auto.
    + apply Qle_shift_div_l; lra.
    + intros Ck. specialize (Hmax xk Hk Ck).
      setoid_replace (aN m / Qabs xi * Qabs xk) with (aN m * (Qabs xk / Qabs xi)) by (field; lra).
      assert (Qabs xk / Qabs xi <= 1) by (apply Qle_shift_div_r; lra). nra.
    + intros; lra.
Qed.

Theorem T1_2_min_sharpness m x y i :
  ~ y == 0 -> (i < length x)%nat -> carries m y (nth i x 0) ->
  (forall xk, In xk x -> carries m y xk -> Qabs (nth i x 0) <= Qabs xk) ->
  is_min_sharpness m x y (snd (vertex m y (nth i x 0))).
Proof.
  intros Hy Hi Hc Hmin. destruct (vertex_point m x y i Hi Hc) as [Hf [_ HS]].
  split; [exists (vbeta x y i); auto|].
  intros b Hb. set (xi := nth i x 0) in *.
  pose proof (abs_nonzero _ (carries_nonzero _ _ _ Hc)) as Hax.
  assert (HaS : 0 < aS m) by (destruct m; simpl; lra).
  rewrite (Sm_cost m x b).
  eapply Qle_trans; [| apply (weak_duality m _ x y b (aS m * Qabs xi * Qabs y / y)); auto].
  - unfold vertex; simpl snd. rewrite lam_y by auto. apply Qle_lteq; right; ring.
  - apply Forall_forall. intros xk Hk. apply (dcond_gen m y (aS m * Qabs xi) (fun a => aS m * (a * a)) xk); auto.
    + nra.
    + intros Ck. specialize (Hmin xk Hk Ck). rewrite (sq_abs xk).
      pose proof (Qabs_nonneg xk). assert (0 <= Qabs xk * (Qabs xk - Qabs xi)) by nra. nra.
    + intros. rewrite (sq_abs xk). pose proof (Qabs_nonneg xk).
      assert (0 <= Qabs xk * Qabs xk) by nra. nra.
Qed.

(** * T1.4: every feasible point is on or above the line through two vertices p > q when no
    carrying |x_k| lies strictly between q and p *)
Theorem T1_4_above m x y p q b :
  ~ y == 0 -> 0 < q -> q < p ->
  (forall xk, In xk x -> carries m y xk -> 0 <= (Qabs xk - p) * (Qabs xk - q)) ->
  feasible m x y b ->
  on_or_above (aN m * Qabs y / p) (aS m * Qabs y * p) (aN m * Qabs y / q) (aS m * Qabs y * q)
    (Nm m b) (Sm m x b).
Proof.
  intros Hy Hq Hqp Hgap Hb.
  assert (HaN : 0 < aN m) by (destruct m; simpl; lra).
  assert (HaS : 0 < aS m) by (destruct m; simpl; lra).
  pose proof (abs_nonzero _ Hy) as Hay.
  set (K := aN m * aS m * (p + q)).
  set (f := fun a => aS m * p * q * aN m + aN m * (aS m * (a * a))).
  assert (Hw : K * Qabs y / y * y <= cost m f x b).
  { apply (weak_duality m f x y b); auto. apply Forall_forall. intros xk Hk.
    apply (dcond_gen m y K f xk); auto.
    - unfold K. assert (0 < aN m * aS m) by nra. nra.
    - intros Ck. specialize (Hgap xk Hk Ck). unfold K, f. rewrite (sq_abs xk).
      assert (0 < aN m * aS m) by nra. nra.
    - intros. unfold f. rewrite (sq_abs xk). assert (0 < aN m * aS m) by nra.
      assert (0 <= p * q) by nra. pose proof (Qabs_nonneg xk). nra. }
  rewrite lam_y in Hw by auto.
  assert (Hc : cost m f x b == aS m * p * q * Nm m b + aN m * Sm m x b).
  { rewrite (Nm_cost _ _ _ _ Hb), (Sm_cost m x b). unfold cost, f.
    rewrite (dot_map_lin (fun _ => aN m) (fun a => aS m * (a * a))). reflexivity. }
  rewrite Hc in Hw. unfold on_or_above.
  setoid_replace ((aS m * Qabs y * p - aS m * Qabs y * q) * (Nm m b - aN m * Qabs y / p) +
    (aN m * Qabs y / q - aN m * Qabs y / p) * (Sm m x b - aS m * Qabs y * p)) with
    ((Qabs y * (p - q) / (p * q)) *
     (aS m * p * q * Nm m b + aN m * Sm m x b - K * Qabs y)) by (unfold K; field; lra).
  assert (0 <= Qabs y * (p - q) / (p * q)) by (apply Qle_shift_div_l; nra).
  nra.
Qed.
