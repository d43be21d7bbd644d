(* Boolean checkers for the T1 claim kinds, with soundness theorems (run by vm_compute). *)
From Coq Require Import QArith Qabs List Bool Lia Lqa NArith.
From DLN Require Import Vec T1.
Import ListNotations.
Open Scope Q_scope.
Arguments Qred : simpl never.
Arguments Qmult : simpl never.
Arguments Qplus : simpl never.
Arguments Qopp : simpl never.

(** * Claim statements (what a generated theorem asserts) *)
Definition min_norm_claim m x y (b : list Q) (v : Q) : Prop :=
  feasible m x y b /\ Nm m b == v /\ forall b', feasible m x y b' -> v <= Nm m b'.
Definition min_sharpness_claim m x y (b : list Q) (v : Q) : Prop :=
  feasible m x y b /\ Sm m x b == v /\ forall b', feasible m x y b' -> v <= Sm m x b'.

(* one β minimises both N and S: the two biases coincide *)
Definition both_minimal m x y b : Prop :=
  feasible m x y b /\ (forall b', feasible m x y b' -> Nm m b <= Nm m b') /\
  (forall b', feasible m x y b' -> Sm m x b <= Sm m x b').

(* T1.3: N(β_sharp) = ratio·N(β_norm), S(β_norm) = ratio·S(β_sharp), ratio = max_P|x|/min_P|x|,
   and "coincide" holds iff |x_i| is constant on P iff one β minimises both N and S *)
Definition conflict_claim m x y (ratio : Q) (coincide : bool) : Prop :=
  exists bn bs,
    (feasible m x y bn /\ forall b, feasible m x y b -> Nm m bn <= Nm m b) /\
    (feasible m x y bs /\ forall b, feasible m x y b -> Sm m x bs <= Sm m x b) /\
    Nm m bs == ratio * Nm m bn /\ Sm m x bn == ratio * Sm m x bs /\
    (exists xmax xmin, In xmax x /\ In xmin x /\ carries m y xmax /\ carries m y xmin /\
       ratio == Qabs xmax / Qabs xmin /\
       forall xk, In xk x -> carries m y xk -> Qabs xmin <= Qabs xk <= Qabs xmax) /\
    (coincide = true <->
       forall xk xl, In xk x -> In xl x -> carries m y xk -> carries m y xl -> Qabs xk == Qabs xl) /\
    (coincide = true <-> exists b, both_minimal m x y b).

(* T1.4: the Pareto front of (N, S) over M, vertices (index, N, S) from min-norm to min-sharpness *)
Definition pareto_front m x y (vs : list (N * Q * Q)) : Prop :=
  vs <> [] /\
  Forall (fun v => let '(k, n, s) := v in
     (N.to_nat k < length x)%nat /\ carries m y (nth (N.to_nat k) x 0) /\
     n == fst (vertex m y (nth (N.to_nat k) x 0)) /\ s == snd (vertex m y (nth (N.to_nat k) x 0)) /\
     exists b, feasible m x y b /\ Nm m b == n /\ Sm m x b == s) vs /\
  (forall j k1 n1 s1 k2 n2 s2,
     nth_error vs j = Some (k1, n1, s1) -> nth_error vs (S j) = Some (k2, n2, s2) ->
     n1 < n2 /\ s2 < s1 /\
     (forall t, 0 <= t <= 1 -> exists b, feasible m x y b /\
        Nm m b == (1 - t) * n1 + t * n2 /\ Sm m x b == (1 - t) * s1 + t * s2) /\
     (forall b, feasible m x y b -> on_or_above n1 s1 n2 s2 (Nm m b) (Sm m x b))) /\
  (match vs with [] => False | (_, n, _) :: _ => is_min_norm m x y n end) /\
  (let '(_, _, s) := last vs (0%N, 0, 0) in is_min_sharpness m x y s).

(** * Boolean pieces *)
Definition carriesb m y xi : bool :=
  match m with Shared => Qlt_bool 0 (xi * y) | _ => negb (Qeq_bool xi 0) end.

Lemma carriesb_sound m y xi : carriesb m y xi = true -> carries m y xi.
Proof.
  destruct m; simpl; [apply Qlt_bool_sound| |]; intros H E;
    apply negb_true_iff in H; apply Qeq_bool_iff in E; congruence.
Qed.

Lemma carriesb_complete m y xi : carries m y xi -> carriesb m y xi = true.
Proof.
  destruct m; simpl; intros H.
  - unfold Qlt_bool. apply negb_true_iff. destruct (Qle_bool (xi * y) 0) eqn:E; auto.
    apply Qle_bool_iff in E. lra.
  - apply negb_true_iff. destruct (Qeq_bool xi 0) eqn:E; auto. apply Qeq_bool_iff in E. tauto.
  - apply negb_true_iff. destruct (Qeq_bool xi 0) eqn:E; auto. apply Qeq_bool_iff in E. tauto.
Qed.

Definition feasibleb m x y b : bool :=
  Nat.eqb (length b) (length x) && Qeq_bool (dot x b) y &&
  match m with Shared => forallb (Qle_bool 0) b | _ => true end.

Lemma feasibleb_sound m x y b : feasibleb m x y b = true -> feasible m x y b.
Proof.
  unfold feasibleb. intros H. apply andb_true_iff in H as [H H3].
  apply andb_true_iff in H as [H1 H2].
  split; [apply Nat.eqb_eq; auto | split; [apply Qeq_bool_sound; auto|]].
  destruct m; auto. apply Forall_forall. intros z Hz. rewrite forallb_forall in H3.
  apply Qle_bool_sound. auto.
Qed.

Definition dcondb m (lam w xi : Q) : bool :=
  match m with Shared => Qle_bool (lam * xi) w | _ => Qle_bool (Qabs (lam * xi)) w end.

Lemma dcondb_sound m lam w xi : dcondb m lam w xi = true -> dcond m lam w xi.
Proof. destruct m; apply Qle_bool_sound. Qed.

Lemma forallb_dcond m lam f x :
  forallb (fun xi => dcondb m lam (f xi) xi) x = true -> Forall (fun xi => dcond m lam (f xi) xi) x.
Proof.
  intros H. apply Forall_forall. rewrite forallb_forall in H. intros z Hz.
  apply dcondb_sound. auto.
Qed.

Definition slacks_ok (sl : option (list Q)) (f : Q -> Q) (x : list Q) : bool :=
  match sl with None => true | Some s => forall2b (fun si xi => Qeq_bool si (f xi)) s x end.

(** * min-norm and min-sharpness: an LP primal-dual pair (slacks, when listed, are recomputed) *)
Definition check_min_norm m x y b v lam (slack slack_neg : option (list Q)) : bool :=
  feasibleb m x y b && Qeq_bool (Nm m b) v && Qeq_bool (lam * y) v &&
  forallb (fun xi => dcondb m lam (aN m) xi) x &&
  slacks_ok slack (fun xi => aN m - lam * xi) x &&
  slacks_ok slack_neg (fun xi => aN m + lam * xi) x.

Definition check_min_sharpness m x y b v lam (slack slack_neg : option (list Q)) : bool :=
  feasibleb m x y b && Qeq_bool (Sm m x b) v && Qeq_bool (lam * y) v &&
  forallb (fun xi => dcondb m lam (aS m * (xi * xi)) xi) x &&
  slacks_ok slack (fun xi => aS m * (xi * xi) - lam * xi) x &&
  slacks_ok slack_neg (fun xi => aS m * (xi * xi) + lam * xi) x.

Ltac andb_split :=
  repeat match goal with
  | H : (_ && _)%bool = true |- _ => apply andb_true_iff in H as [? ?]
  end.

Theorem check_min_norm_sound m x y b v lam sl sn :
  check_min_norm m x y b v lam sl sn = true -> min_norm_claim m x y b v.
Proof.
  unfold check_min_norm. intros H. andb_split.
  repeat match goal with H : Qeq_bool _ _ = true |- _ => apply Qeq_bool_sound in H end.
  split; [apply feasibleb_sound; auto | split; [auto|]].
  intros b' Hb'. rewrite (Nm_cost _ _ _ _ Hb').
  match goal with H : lam * y == v |- _ => rewrite <- H end.
  apply (weak_duality m (fun _ => aN m) x y b' lam); auto. apply forallb_dcond. auto.
Qed.

Theorem check_min_sharpness_sound m x y b v lam sl sn :
  check_min_sharpness m x y b v lam sl sn = true -> min_sharpness_claim m x y b v.
Proof.
  unfold check_min_sharpness. intros H. andb_split.
  repeat match goal with H : Qeq_bool _ _ = true |- _ => apply Qeq_bool_sound in H end.
  split; [apply feasibleb_sound; auto | split; [auto|]].
  intros b' Hb'. rewrite (Sm_cost m x b').
  match goal with H : lam * y == v |- _ => rewrite <- H end.
  apply (weak_duality m (fun a => aS m * (a * a)) x y b' lam); auto. apply forallb_dcond. auto.
Qed.

(** * T1.3: the two biases coincide (one β minimises both N and S) iff |x_i| is constant on P *)

Theorem T1_3_coincide m x y i j :
  ~ y == 0 -> (i < length x)%nat -> (j < length x)%nat ->
  carries m y (nth i x 0) -> carries m y (nth j x 0) ->
  (forall xk, In xk x -> carries m y xk -> Qabs (nth j x 0) <= Qabs xk <= Qabs (nth i x 0)) ->
  ((exists b, both_minimal m x y b) <-> Qabs (nth i x 0) == Qabs (nth j x 0)).
Proof.
  intros Hy Hi Hj Ci Cj Hb. set (p := Qabs (nth i x 0)) in *. set (q := Qabs (nth j x 0)) in *.
  assert (Hmax : forall xk, In xk x -> carries m y xk -> Qabs xk <= p) by (intros; apply Hb; auto).
  assert (Hmin : forall xk, In xk x -> carries m y xk -> q <= Qabs xk) by (intros; apply Hb; auto).
  destruct (T1_1_min_norm m x y i Hy Hi Ci Hmax) as [_ Hn].
  destruct (T1_2_min_sharpness m x y j Hy Hj Cj Hmin) as [_ Hs].
  destruct (vertex_point m x y i Hi Ci) as [Fi [Ni Si]].
  destruct (vertex_point m x y j Hj Cj) as [Fj [Nj Sj]].
  unfold vertex in Hn, Hs, Ni, Si, Nj, Sj; simpl fst in Hn, Ni, Nj; simpl snd in Hs, Si, Sj.
  fold p q in Hn, Hs, Ni, Si, Nj, Sj.
  pose proof (abs_nonzero _ (carries_nonzero _ _ _ Ci)) as Hp.
  pose proof (abs_nonzero _ (carries_nonzero _ _ _ Cj)) as Hq.
  pose proof (abs_nonzero _ Hy) as Hay. fold p in Hp. fold q in Hq.
  assert (Hqp : q <= p) by (apply Hb; [apply nth_In; auto | auto]).
  clearbody p q.
  assert (HaN : 0 < aN m) by (destruct m; simpl; lra).
  assert (HaS : 0 < aS m) by (destruct m; simpl; lra).
  split.
  - intros [b [Fb [Mn Ms]]].
    assert (EN : Nm m b == aN m * Qabs y / p).
    { apply Qle_antisym; [rewrite <- Ni; apply Mn, Fi | apply Hn, Fb]. }
    assert (ES : Sm m x b == aS m * Qabs y * q).
    { apply Qle_antisym; [rewrite <- Sj; apply Ms, Fj | apply Hs, Fb]. }
    (* weak duality with weights q² + x_k² and λ = 2q·|y|/y *)
    assert (Hw : (2 * q) * Qabs y / y * y <= cost m (fun a => q * q + a * a) x b).
    { apply weak_duality; auto. apply Forall_forall. intros xk Hk.
      apply (dcond_gen m y (2 * q) (fun a => q * q + a * a) xk).
      - lra.
      - exact Hy.
      - intros _. cbv beta. rewrite (sq_abs xk).
        assert (0 <= (Qabs xk - q) * (Qabs xk - q))
          by (rewrite sq_abs; apply Qmult_le_0_compat; apply Qabs_nonneg).
        nra.
      - intros _. cbv beta. rewrite (sq_abs xk). pose proof (Qabs_nonneg xk). nra. }
    rewrite lam_y in Hw by auto.
    assert (Hc : cost m (fun a => q * q + a * a) x b ==
                 q * q / aN m * Nm m b + 1 / aS m * Sm m x b).
    { rewrite (Nm_cost _ _ _ _ Fb), (Sm_cost m x b). unfold cost.
      rewrite (dot_map_ext (fun a => q * q + a * a)
                 (fun a => q * q / aN m * aN m + 1 / aS m * (aS m * (a * a))))
        by (intros; field; lra).
      rewrite (dot_map_lin (fun _ => aN m) (fun a => aS m * (a * a))). reflexivity. }
    rewrite Hc, EN, ES in Hw.
    assert (H1 : q * q / aN m * (aN m * Qabs y / p) + 1 / aS m * (aS m * Qabs y * q) ==
                 Qabs y * q * (q / p + 1)) by (field; lra).
    rewrite H1 in Hw.
    assert (H2 : 2 * q * Qabs y == Qabs y * q * 2) by ring. rewrite H2 in Hw.
    assert (H3 : 2 <= q / p + 1).
    { apply (Qmult_le_l _ _ (Qabs y * q)); [nra|]. lra. }
    assert (H4 : p <= q).
    { assert (1 <= q / p) by lra. assert (E : q / p * p == q) by (field; lra). nra. }
    lra.
  - intros E. exists (vbeta x y i). split; [auto|]. split.
    + intros b' Fb'. rewrite Ni. apply Hn, Fb'.
    + intros b' Fb'. rewrite Si, E. apply Hs, Fb'.
Qed.

(** * conflict (T1.3) *)
Lemma nthN_nth {A} (n : N) (l : list A) d : nthN n l d = nth (N.to_nat n) l d.
Proof.
  revert n; induction l as [|a l IH]; intros n; simpl.
  - destruct (N.to_nat n); reflexivity.
  - destruct (N.eqb_spec n 0) as [E|E].
    + subst. reflexivity.
    + rewrite IH. destruct (N.to_nat n) eqn:En; [lia|].
      rewrite N2Nat.inj_pred, En. reflexivity.
Qed.

Definition between_ok m y (lo hi : Q) (x : list Q) : bool :=
  forallb (fun xk => negb (carriesb m y xk) || (Qle_bool lo (Qabs xk) && Qle_bool (Qabs xk) hi)) x.

Lemma between_ok_sound m y lo hi x :
  between_ok m y lo hi x = true -> forall xk, In xk x -> carries m y xk -> lo <= Qabs xk <= hi.
Proof.
  unfold between_ok. rewrite forallb_forall. intros H xk Hk Ck.
  specialize (H xk Hk). rewrite (carriesb_complete _ _ _ Ck) in H. simpl in H.
  andb_split. split; apply Qle_bool_sound; auto.
Qed.

(* i, j: hints (indices of a largest and a smallest carrying |x_k|), checked here *)
Definition check_conflict m x y (i j : N) (ratio : Q) (coincide : bool) : bool :=
  let xi := nthN i x 0 in let xj := nthN j x 0 in
  negb (Qeq_bool y 0) && Nat.ltb (N.to_nat i) (length x) && Nat.ltb (N.to_nat j) (length x) &&
  carriesb m y xi && carriesb m y xj && between_ok m y (Qabs xj) (Qabs xi) x &&
  Qeq_bool ratio (Qabs xi / Qabs xj) && Bool.eqb coincide (Qeq_bool (Qabs xi) (Qabs xj)).

Theorem check_conflict_sound m x y i j ratio coincide :
  check_conflict m x y i j ratio coincide = true -> conflict_claim m x y ratio coincide.
Proof.
  unfold check_conflict. rewrite !nthN_nth. intros H.
  apply andb_true_iff in H as [H H0]. apply andb_true_iff in H as [H H1].
  apply andb_true_iff in H as [H H2]. apply andb_true_iff in H as [H H4].
  apply andb_true_iff in H as [H H3]. apply andb_true_iff in H as [H H6].
  apply andb_true_iff in H as [H H5].
  set (xi := nth (N.to_nat i) x 0) in *. set (xj := nth (N.to_nat j) x 0) in *.
  assert (Hy : ~ y == 0).
  { intros E; apply Qeq_bool_iff in E.
    match goal with H : negb (Qeq_bool y 0) = true |- _ => rewrite E in H; discriminate end. }
  apply Nat.ltb_lt in H5, H6. apply carriesb_sound in H3, H4.
  pose proof (between_ok_sound _ _ _ _ _ H2) as Hb.
  pose proof (abs_nonzero _ (carries_nonzero _ _ _ H3)) as Hai.
  pose proof (abs_nonzero _ (carries_nonzero _ _ _ H4)) as Haj.
  assert (Hmax : forall xk, In xk x -> carries m y xk -> Qabs xk <= Qabs xi)
    by (intros xk Hk Ck; apply (Hb xk Hk Ck)).
  assert (Hmin : forall xk, In xk x -> carries m y xk -> Qabs xj <= Qabs xk)
    by (intros xk Hk Ck; apply (Hb xk Hk Ck)).
  destruct (T1_1_min_norm m x y (N.to_nat i) Hy H5 H3 Hmax) as [_ Hn].
  destruct (T1_2_min_sharpness m x y (N.to_nat j) Hy H6 H4 Hmin) as [_ Hs].
  destruct (vertex_point m x y (N.to_nat i) H5 H3) as [Hfi [HNi HSi]].
  destruct (vertex_point m x y (N.to_nat j) H6 H4) as [Hfj [HNj HSj]].
  fold xi xj in Hn, Hs, HNi, HSi, HNj, HSj.
  pose proof (Qeq_bool_sound _ _ H1) as Hr.
  assert (Hay := abs_nonzero _ Hy).
  exists (vbeta x y (N.to_nat i)), (vbeta x y (N.to_nat j)).
  split; [split; auto; intros b Hb'; rewrite HNi; auto|].
  split; [split; auto; intros b Hb'; rewrite HSj; auto|].
  unfold vertex in HNi, HSi, HNj, HSj; simpl fst in *; simpl snd in *.
  split; [rewrite HNi, HNj, Hr; field; split; lra|].
  split; [rewrite HSi, HSj, Hr; field; lra|].
  split.
  - exists xi, xj. split; [apply nth_In; auto|]. split; [apply nth_In; auto|].
    split; [auto|]. split; [auto|]. split; [auto|]. exact Hb.
  - split; [split|].
    + intros Hc xk xl Hk Hl Ck Cl. rewrite Hc in H0. simpl in H0.
      destruct (Qeq_bool (Qabs xi) (Qabs xj)) eqn:E; [|discriminate].
      apply Qeq_bool_sound in E.
      destruct (Hb xk Hk Ck), (Hb xl Hl Cl). lra.
    + intros Hall. specialize (Hall xi xj (nth_In _ _ H5) (nth_In _ _ H6) H3 H4).
      destruct coincide; auto. simpl in H0.
      apply Qeq_bool_iff in Hall. rewrite Hall in H0. discriminate.
    + rewrite (T1_3_coincide m x y (N.to_nat i) (N.to_nat j) Hy H5 H6 H3 H4 Hb). fold xi xj.
      destruct coincide; simpl in H0; split; intros Hc; auto.
      * destruct (Qeq_bool (Qabs xi) (Qabs xj)) eqn:E; [apply Qeq_bool_sound; auto | discriminate].
      * discriminate.
      * apply Qeq_bool_iff in Hc. rewrite Hc in H0. discriminate.
Qed.

(** * Segments between two vertices are attained (T1.4) *)
Lemma nonneg_vadd u v :
  Forall (fun b => 0 <= b) u -> Forall (fun b => 0 <= b) v -> Forall (fun b => 0 <= b) (vadd u v).
Proof.
  intros Hu; revert v; induction Hu as [|a u Ha Hu IH]; intros v Hv; simpl; auto.
  destruct v as [|c v]; [constructor; auto|]. inversion Hv; subst.
  constructor; auto. rewrite Qred_correct. lra.
Qed.

Lemma nonneg_scale s u : 0 <= s -> Forall (fun b => 0 <= b) u -> Forall (fun b => 0 <= b) (scale s u).
Proof.
  intros Hs Hu. unfold scale. apply Forall_forall. intros z Hz. apply in_map_iff in Hz as [a [<- Ha]].
  rewrite Forall_forall in Hu. specialize (Hu a Ha). rewrite Qred_correct. nra.
Qed.

Definition disjoint (u v : list Q) : Prop := Forall2 (fun p q => p * q == 0) u v.

Lemma abs_comb a c p q : 0 <= a -> 0 <= c -> p * q == 0 -> Qabs (a * p + c * q) == a * Qabs p + c * Qabs q.
Proof.
  intros Ha Hc H. assert (Z : Qabs 0 == 0) by reflexivity.
  apply Qmult_integral in H as [E|E]; rewrite E, Z.
  - setoid_replace (a * 0 + c * q) with (c * q) by ring. rewrite Qabs_Qmult, (Qabs_pos c) by auto. ring.
  - setoid_replace (a * p + c * 0) with (a * p) by ring. rewrite Qabs_Qmult, (Qabs_pos a) by auto. ring.
Qed.

Lemma absb_comb m a c u v : 0 <= a -> 0 <= c -> disjoint u v ->
  eqv (absb m (vadd (scale a u) (scale c v))) (vadd (scale a (absb m u)) (scale c (absb m v))).
Proof.
  intros Ha Hc H. destruct m; simpl; [apply eqv_refl| |];
  (induction H as [|p q u v Hpq H IH]; simpl; constructor; [|exact IH]);
  rewrite !Qred_correct; apply abs_comb; auto.
Qed.

Lemma cost_comb m f x a c u v : 0 <= a -> 0 <= c -> disjoint u v ->
  cost m f x (vadd (scale a u) (scale c v)) == a * cost m f x u + c * cost m f x v.
Proof.
  intros Ha Hc H. unfold cost. rewrite (dot_eqv_r _ _ _ (absb_comb m a c u v Ha Hc H)).
  rewrite dot_vadd_r, !dot_scale_r. reflexivity.
Qed.

Lemma zeros_disjoint_l (w v : list Q) : length w = length v -> disjoint (map (fun _ => 0) w) v.
Proof.
  revert v; induction w as [|a w IH]; intros [|c v] H; simpl in H; try discriminate; constructor.
  - simpl. ring.
  - apply IH. lia.
Qed.

Lemma zeros_disjoint_r (w v : list Q) : length w = length v -> disjoint v (map (fun _ => 0) w).
Proof.
  revert v; induction w as [|a w IH]; intros [|c v] H; simpl in H; try discriminate; constructor.
  - ring.
  - apply IH. lia.
Qed.

Lemma unitof_disjoint w i j s1 s2 : i <> j -> disjoint (unitof w i s1) (unitof w j s2).
Proof.
  revert i j; induction w as [|a w IH]; intros i j Hij; simpl; [constructor|].
  destruct i as [|i], j as [|j]; [lia| | |]; constructor.
  - ring.
  - apply zeros_disjoint_l. rewrite unitof_length. reflexivity.
  - ring.
  - apply zeros_disjoint_r. rewrite unitof_length. reflexivity.
  - ring.
  - apply IH. lia.
Qed.

Lemma segment_point m x y b1 b2 t :
  feasible m x y b1 -> feasible m x y b2 -> disjoint b1 b2 -> 0 <= t <= 1 ->
  let b := vadd (scale (1 - t) b1) (scale t b2) in
  feasible m x y b /\ Nm m b == (1 - t) * Nm m b1 + t * Nm m b2 /\
  Sm m x b == (1 - t) * Sm m x b1 + t * Sm m x b2.
Proof.
  intros H1 H2 Hd Ht b.
  assert (Hb : feasible m x y b).
  { destruct H1 as [L1 [D1 S1]], H2 as [L2 [D2 S2]]. split; [|split].
    - unfold b, scale. rewrite length_vadd, !map_length. lia.
    - unfold b. rewrite dot_vadd_r, !dot_scale_r, D1, D2. ring.
    - destruct m; auto. apply nonneg_vadd; apply nonneg_scale; auto; lra. }
  split; auto.
  rewrite (Nm_cost _ _ _ _ Hb), (Nm_cost _ _ _ _ H1), (Nm_cost _ _ _ _ H2), !Sm_cost.
  unfold b. rewrite !cost_comb by (auto; lra). split; reflexivity.
Qed.

Theorem T1_4_segment m x y i j t :
  (i < length x)%nat -> (j < length x)%nat -> i <> j ->
  carries m y (nth i x 0) -> carries m y (nth j x 0) -> 0 <= t <= 1 ->
  exists b, feasible m x y b /\
    Nm m b == (1 - t) * fst (vertex m y (nth i x 0)) + t * fst (vertex m y (nth j x 0)) /\
    Sm m x b == (1 - t) * snd (vertex m y (nth i x 0)) + t * snd (vertex m y (nth j x 0)).
Proof.
  intros Hi Hj Hij Ci Cj Ht.
  destruct (vertex_point m x y i Hi Ci) as [F1 [N1 S1]].
  destruct (vertex_point m x y j Hj Cj) as [F2 [N2 S2]].
  destruct (segment_point m x y _ _ t F1 F2 (unitof_disjoint _ _ _ _ _ Hij) Ht) as [F [N S]].
  eexists. split; [exact F|]. rewrite N, S, N1, N2, S1, S2. split; reflexivity.
Qed.

(** * Sorted lists *)
Fixpoint decb (l : list Q) : bool :=
  match l with a :: ((b :: _) as l') => Qlt_bool b a && decb l' | _ => true end.
Fixpoint incb (l : list Q) : bool :=
  match l with a :: ((b :: _) as l') => Qlt_bool a b && incb l' | _ => true end.

Lemma decb_mono l : decb l = true -> forall i j, (i <= j < length l)%nat -> nth j l 0 <= nth i l 0.
Proof.
  induction l as [|a l IH]; intros H i j Hij; simpl in Hij; [lia|].
  assert (Hl : decb l = true /\ (forall b l', l = b :: l' -> b < a)).
  { destruct l as [|b l']; simpl in H |- *; [split; auto; discriminate|].
    apply andb_true_iff in H as [H1 H2]. split; auto. intros b0 l0 E; inversion E; subst.
    apply Qlt_bool_sound; auto. }
  destruct Hl as [Hl Hlt].
  destruct i as [|i], j as [|j]; simpl; try lra; try lia.
  - destruct l as [|b l']; simpl in Hij; [lia|].
    specialize (IH Hl 0%nat j ltac:(simpl; lia)). change (nth 0 (b :: l') 0) with b in IH.
    specialize (Hlt b l' eq_refl). lra.
  - apply IH; auto. lia.
Qed.

Lemma decb_step l j a b : decb l = true -> nth_error l j = Some a -> nth_error l (S j) = Some b -> b < a.
Proof.
  revert j; induction l as [|c l IH]; intros j H E1 E2; [destruct j; discriminate|].
  destruct l as [|d l]; [destruct j; simpl in E2; [discriminate| destruct j; discriminate]|].
  simpl in H. apply andb_true_iff in H as [H1 H2]. destruct j as [|j].
  - simpl in E1, E2. inversion E1; inversion E2; subst. apply Qlt_bool_sound; auto.
  - apply (IH j H2); auto.
Qed.

Lemma incb_step l j a b : incb l = true -> nth_error l j = Some a -> nth_error l (S j) = Some b -> a < b.
Proof.
  revert j; induction l as [|c l IH]; intros j H E1 E2; [destruct j; discriminate|].
  destruct l as [|d l]; [destruct j; simpl in E2; [discriminate| destruct j; discriminate]|].
  simpl in H. apply andb_true_iff in H as [H1 H2]. destruct j as [|j].
  - simpl in E1, E2. inversion E1; inversion E2; subst. apply Qlt_bool_sound; auto.
  - apply (IH j H2); auto.
Qed.

(** * pareto-front checker. pos: for each coordinate, the position of its |x_k| among the
    vertices (a hint, checked) *)
Definition vidx (v : N * Q * Q) : N := let '(k, _, _) := v in k.
Definition vnorm (v : N * Q * Q) : Q := let '(_, n, _) := v in n.
Definition vsharp (v : N * Q * Q) : Q := let '(_, _, s) := v in s.

Definition vertex_ok m x y (v : N * Q * Q) : bool :=
  let '(k, n, s) := v in
  let xk := nthN k x 0 in
  Nat.ltb (N.to_nat k) (length x) && carriesb m y xk &&
  Qeq_bool n (fst (vertex m y xk)) && Qeq_bool s (snd (vertex m y xk)).

Definition check_pareto m x y (vs : list (N * Q * Q)) (pos : list N) : bool :=
  let av := map (fun v => Qabs (nthN (vidx v) x 0)) vs in
  negb (Qeq_bool y 0) && match vs with [] => false | _ => true end &&
  forallb (vertex_ok m x y) vs && decb av &&
  incb (map vnorm vs) && decb (map vsharp vs) &&
  forall2b (fun xi h => negb (carriesb m y xi) ||
              (Nat.ltb (N.to_nat h) (length av) && Qeq_bool (Qabs xi) (nth (N.to_nat h) av 0)))
           x pos.

Lemma Forall2_In_l {A B} (P : A -> B -> Prop) l m a :
  Forall2 P l m -> In a l -> exists b, P a b.
Proof.
  induction 1 as [|a' b' l m Hab H IH]; simpl; [tauto|].
  intros [E|E]; [subst; eauto | auto].
Qed.

Lemma is_min_norm_eq m x y v v' : v == v' -> is_min_norm m x y v -> is_min_norm m x y v'.
Proof.
  intros E [[b [Hb Hn]] H]. split; [exists b; split; auto; rewrite Hn; auto|].
  intros b' Hb'. rewrite <- E. auto.
Qed.

Lemma is_min_sharpness_eq m x y v v' : v == v' -> is_min_sharpness m x y v -> is_min_sharpness m x y v'.
Proof.
  intros E [[b [Hb Hn]] H]. split; [exists b; split; auto; rewrite Hn; auto|].
  intros b' Hb'. rewrite <- E. auto.
Qed.

Lemma last_nth {A} (l : list A) d : l <> [] -> last l d = nth (length l - 1) l d /\ (length l - 1 < length l)%nat.
Proof.
  induction l as [|a l IH]; intros H; [contradiction|].
  destruct l as [|b l]; [simpl; split; auto|].
  destruct IH as [E L]; [discriminate|].
  change (last (a :: b :: l) d) with (last (b :: l) d). rewrite E.
  split; [|simpl; lia].
  replace (length (a :: b :: l) - 1)%nat with (S (length (b :: l) - 1)) by (simpl; lia).
  reflexivity.
Qed.

Theorem check_pareto_sound m x y vs pos :
  check_pareto m x y vs pos = true -> pareto_front m x y vs.
Proof.
  unfold check_pareto. intros H.
  apply andb_true_iff in H as [H Hpos]. apply andb_true_iff in H as [H Hdecs].
  apply andb_true_iff in H as [H Hincn]. apply andb_true_iff in H as [H Hdeca].
  apply andb_true_iff in H as [H Hvok]. apply andb_true_iff in H as [Hy0 Hne].
  set (av := map (fun v => Qabs (nthN (vidx v) x 0)) vs) in *.
  assert (Hy : ~ y == 0).
  { intros E; apply Qeq_bool_iff in E. rewrite E in Hy0; discriminate. }
  rewrite forallb_forall in Hvok.
  assert (Hv : forall v, In v vs -> (N.to_nat (vidx v) < length x)%nat /\
             carries m y (nth (N.to_nat (vidx v)) x 0) /\
             vnorm v == fst (vertex m y (nth (N.to_nat (vidx v)) x 0)) /\
             vsharp v == snd (vertex m y (nth (N.to_nat (vidx v)) x 0))).
  { intros [[k n] s] Hin. specialize (Hvok _ Hin). unfold vertex_ok in Hvok.
    rewrite nthN_nth in Hvok. andb_split. simpl.
    split; [apply Nat.ltb_lt; auto|]. split; [apply carriesb_sound; auto|].
    split; apply Qeq_bool_sound; auto. }
  apply forall2b_Forall2 in Hpos.
  (* every carrying |x_k| is one of the vertex values *)
  assert (Hmem : forall xk, In xk x -> carries m y xk ->
            exists h, (h < length av)%nat /\ Qabs xk == nth h av 0).
  { intros xk Hk Ck. destruct (Forall2_In_l _ _ _ _ Hpos Hk) as [h Hh].
    rewrite (carriesb_complete _ _ _ Ck) in Hh. simpl in Hh. andb_split.
    exists (N.to_nat h). split; [apply Nat.ltb_lt; auto | apply Qeq_bool_sound; auto]. }
  assert (Hav : forall j v, nth_error vs j = Some v -> nth_error av j = Some (Qabs (nth (N.to_nat (vidx v)) x 0))).
  { intros j v E. unfold av. rewrite nth_error_map, E. simpl. rewrite nthN_nth. reflexivity. }
  assert (Havn : forall j v, nth_error vs j = Some v -> nth j av 0 = Qabs (nth (N.to_nat (vidx v)) x 0)).
  { intros j v E. apply nth_error_nth. apply Hav. auto. }
  assert (Hlav : length av = length vs) by (unfold av; apply map_length).
  split; [destruct vs; discriminate|].
  split.
  { apply Forall_forall. intros [[k n] s] Hin. destruct (Hv _ Hin) as [L [C [En Es]]]. simpl in *.
    split; auto. split; auto. split; auto. split; auto.
    destruct (vertex_point m x y _ L C) as [F [N' S']]. exists (vbeta x y (N.to_nat k)).
    split; auto. rewrite N', S', En, Es. split; reflexivity. }
  split.
  { intros j k1 n1 s1 k2 n2 s2 E1 E2.
    destruct (Hv _ (nth_error_In _ _ E1)) as [L1 [C1 [En1 Es1]]].
    destruct (Hv _ (nth_error_In _ _ E2)) as [L2 [C2 [En2 Es2]]].
    cbn [vidx vnorm vsharp fst snd vertex] in L1, C1, En1, Es1, L2, C2, En2, Es2.
    set (p := Qabs (nth (N.to_nat k1) x 0)) in *. set (q := Qabs (nth (N.to_nat k2) x 0)) in *.
    assert (Hqp : q < p) by (apply (decb_step av j); [auto | apply (Hav _ _ E1) | apply (Hav _ _ E2)]).
    split; [apply (incb_step (map vnorm vs) j);
      [auto | rewrite nth_error_map, E1; reflexivity | rewrite nth_error_map, E2; reflexivity]|].
    split; [apply (decb_step (map vsharp vs) j);
      [auto | rewrite nth_error_map, E1; reflexivity | rewrite nth_error_map, E2; reflexivity]|].
    assert (Hq : 0 < q) by (apply abs_nonzero, (carries_nonzero m y); auto).
    split.
    - intros t Ht. assert (Hk : N.to_nat k1 <> N.to_nat k2).
      { intros Ek. unfold p, q in Hqp. rewrite Ek in Hqp. lra. }
      destruct (T1_4_segment m x y _ _ t L1 L2 Hk C1 C2 Ht) as [b [F [N' S']]].
      exists b. split; auto. rewrite N', S', En1, En2, Es1, Es2. split; reflexivity.
    - intros b Hb.
      assert (Hgap : forall xk, In xk x -> carries m y xk -> 0 <= (Qabs xk - p) * (Qabs xk - q)).
      { intros xk Hk Ck. destruct (Hmem xk Hk Ck) as [h [Hh Eh]].
        assert (Hj1 : (S j < length av)%nat) by (rewrite Hlav; apply nth_error_Some; congruence).
        pose proof (Havn _ _ E1) as HpE. pose proof (Havn _ _ E2) as HqE.
        cbn [vidx] in HpE, HqE. fold p in HpE. fold q in HqE.
        destruct (Nat.le_gt_cases h j).
        - assert (nth j av 0 <= nth h av 0) by (apply decb_mono; auto; lia).
          rewrite HpE, <- Eh in *. nra.
        - assert (nth h av 0 <= nth (S j) av 0) by (apply decb_mono; auto; lia).
          rewrite HqE, <- Eh in *. nra. }
      pose proof (T1_4_above m x y p q b Hy Hq Hqp Hgap Hb) as Ha.
      unfold on_or_above in *. rewrite En1, En2, Es1, Es2. exact Ha. }
  split.
  { destruct vs as [|[[k n] s] vs']; [discriminate|].
    destruct (Hv _ (or_introl eq_refl)) as [L [C [En _]]].
    cbn [vidx vnorm vsharp fst snd vertex] in L, C, En. cbv iota beta.
    apply (is_min_norm_eq _ _ _ _ _ (Qeq_sym _ _ En)).
    apply T1_1_min_norm; auto. intros xk Hk Ck. destruct (Hmem xk Hk Ck) as [h [Hh Eh]].
    pose proof (Havn 0%nat (k, n, s) eq_refl) as H0E. cbn [vidx] in H0E. rewrite Eh, <- H0E.
    apply decb_mono; auto. lia. }
  { assert (Hne' : vs <> []) by (destruct vs; discriminate).
    destruct (last_nth vs (0%N, 0, 0) Hne') as [El Ll].
    destruct (last vs (0%N, 0, 0)) as [[k n] s] eqn:Hlast.
    assert (Ev : nth_error vs (length vs - 1) = Some (k, n, s)).
    { rewrite El. apply nth_error_nth'. auto. }
    destruct (Hv _ (nth_error_In _ _ Ev)) as [L [C [_ Es]]].
    cbn [vidx vnorm vsharp fst snd vertex] in L, C, Es.
    apply (is_min_sharpness_eq _ _ _ _ _ (Qeq_sym _ _ Es)).
    apply T1_2_min_sharpness; auto. intros xk Hk Ck. destruct (Hmem xk Hk Ck) as [h [Hh Eh]].
    pose proof (Havn _ _ Ev) as H0E. cbn [vidx] in H0E. rewrite Eh, <- H0E.
    apply decb_mono; auto. lia. }
Qed.
