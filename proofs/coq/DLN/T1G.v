(* Generalization (T1-G, SPEC §3): the expected error of a linear rule β = y·c, faces of the
   Pareto set, KKT optimality over a support, the Bayes error of a discrete prior. *)
From Coq Require Import QArith Qabs List Bool Lia Lqa NArith.
From DLN Require Import Vec T1 T1Check.
Import ListNotations.
Open Scope Q_scope.
Arguments Qred : simpl never.
Arguments Qmult : simpl never.
Arguments Qplus : simpl never.
Arguments Qopp : simpl never.

(** * The model *)
(* G(β; β⋆) = (β − β⋆)ᵀ Σ (β − β⋆) *)
Definition G (Sigma : list (list Q)) (b bstar : list Q) : Q := quad Sigma (vsub b bstar).

(* discrete prior: atoms (p_a, β⋆_a); label y_a = ⟨x, β⋆_a⟩; the rule predicts y_a·c *)
Definition E_disc (Sigma : list (list Q)) (x : list Q) (atoms : list (Q * list Q)) (c : list Q) : Q :=
  sum (map (fun a => fst a * G Sigma (scale (dot x (snd a)) c) (snd a)) atoms).

(* moments prior: E(c) = (xᵀM2x)·cᵀΣc − 2cᵀΣM2x + tr(ΣM2) *)
Definition col (j : nat) (M : list (list Q)) : list Q := map (fun r => nth j r 0) M.
Definition tr_prod (S M : list (list Q)) : Q :=
  sum (map (fun i => dot (nth i S []) (col i M)) (seq 0 (length S))).
Definition E_mom (Sigma M2 : list (list Q)) (x c : list Q) : Q :=
  quad M2 x * quad Sigma c - 2 * dot c (matvec Sigma (matvec M2 x)) + tr_prod Sigma M2.

(* the face of linear rules supported where sb x_i holds: c ≥ 0, c_i = 0 elsewhere, ⟨x, c⟩ = 1 *)
Definition in_face (sb : Q -> bool) (x c : list Q) : Prop :=
  length c = length x /\
  (forall i, (i < length x)%nat -> 0 <= nth i c 0 /\ (sb (nth i x 0) = false -> nth i c 0 == 0)) /\
  dot x c == 1.

(* v = min of E over that face, attained at c *)
Definition face_min (E : list Q -> Q) (sb : Q -> bool) (x c : list Q) (v : Q) : Prop :=
  in_face sb x c /\ E c == v /\ forall c', in_face sb x c' -> v <= E c'.

(* the levels of x: its distinct values, strictly decreasing *)
Definition levels (x lv : list Q) : Prop :=
  (forall j, (S j < length lv)%nat -> nth (S j) lv 0 < nth j lv 0) /\
  (forall xi, In xi x -> exists k, (k < length lv)%nat /\ xi == nth k lv 0) /\
  (forall k, (k < length lv)%nat -> exists xi, In xi x /\ xi == nth k lv 0).
Definition level_face (lv : list Q) (k : nat) : Q -> bool := fun xi => Qeq_bool xi (nth k lv 0).
Definition seg_face (lv : list Q) (j : nat) : Q -> bool :=
  fun xi => Qeq_bool xi (nth j lv 0) || Qeq_bool xi (nth (S j) lv 0).
(* Σ_{i : sb x_i} x_i c_i *)
Definition mass (sb : Q -> bool) (x c : list Q) : Q := dot (map (fun xi => if sb xi then xi else 0) x) c.

(* the neither-bias / end-optimal statement over the Pareto set (union of the segment faces) *)
Definition front_claim (E : list Q -> Q) (x lv : list Q) (mn ms : Q) (segs : list Q) (value : Q)
    (seg : option N) (t : option Q) (c : list Q) (marn mars : Q) : Prop :=
  (forall xi, In xi x -> 0 < xi) /\ levels x lv /\
  (exists c0, face_min E (level_face lv 0) x c0 mn) /\
  (exists c1, face_min E (level_face lv (length lv - 1)) x c1 ms) /\
  length segs = (length lv - 1)%nat /\
  (forall j, (j < length segs)%nat -> exists cj, face_min E (seg_face lv j) x cj (nth j segs 0)) /\
  E c == value /\
  (forall j c', (j < length segs)%nat -> in_face (seg_face lv j) x c' -> value <= E c') /\
  match seg, t with
  | Some s, Some tv =>
      (N.to_nat s < length segs)%nat /\ in_face (seg_face lv (N.to_nat s)) x c /\
      nth (N.to_nat s) segs 0 == value /\
      (forall j, (j < N.to_nat s)%nat -> value < nth j segs 0) /\
      tv == mass (level_face lv (S (N.to_nat s))) x c
  | None, None => length lv = 1%nat /\ in_face (level_face lv 0) x c /\ value == mn
  | _, _ => False
  end /\
  marn == mn - value /\ mars == ms - value.

Definition neither_bias_claim E x lv mn ms segs value seg t c marn mars : Prop :=
  front_claim E x lv mn ms segs value seg t c marn mars /\ 0 < marn /\ 0 < mars.

Inductive End := EndNorm | EndSharp | EndBoth.
Definition end_optimal_claim E x lv mn ms segs value seg t c marn mars (e : End) : Prop :=
  front_claim E x lv mn ms segs value seg t c marn mars /\
  match e with
  | EndNorm => marn == 0 /\ 0 < mars
  | EndSharp => mars == 0 /\ 0 < marn
  | EndBoth => marn == 0 /\ mars == 0
  end.

(* best linear rule: the minimum of E over all linear rules c ≥ 0, ⟨x, c⟩ = 1 *)
Definition best_linear_claim (E : list Q -> Q) (x c : list Q) (v : Q) : Prop :=
  face_min E (fun _ => true) x c v.

(* Bayes error: the posterior mean m(y) of the atoms with label y *)
Definition post_mean (x : list Q) (atoms : list (Q * list Q)) (yv : Q) : list Q :=
  let S := filter (fun b => Qeq_bool (dot x (snd b)) yv) atoms in
  scale (/ sum (map fst S)) (fold_right (fun b acc => vadd (scale (fst b) (snd b)) acc) [] S).
Definition bayes_error (Sigma : list (list Q)) (x : list Q) (atoms : list (Q * list Q)) : Q :=
  sum (map (fun a => fst a * G Sigma (post_mean x atoms (dot x (snd a))) (snd a)) atoms).

Theorem check_bayes_sound Sigma x atoms v :
  Qeq_bool (bayes_error Sigma x atoms) v = true -> bayes_error Sigma x atoms == v.
Proof. apply Qeq_bool_sound. Qed.

(** * Quadratic functionals: E(c + v) = E(c) + ⟨g(c), v⟩ + A·vᵀΣv *)
Record QF := { qE : list Q -> Q; qgrad : list Q -> list Q; qA : Q; qS : list (list Q) }.
Definition QF_ok (F : QF) (d : nat) : Prop :=
  (forall c c', length c = d -> eqv c c' -> qE F c == qE F c') /\
  (forall c v, length c = d -> length v = d ->
     qE F (vadd c v) == qE F c + dot (qgrad F c) v + qA F * quad (qS F) v).

(* the closed form of E along a line, e.g. a front segment c(t) = c_j + t·δ:
   a quadratic in t with coefficients computed once *)
Theorem E_segment F d c delta t : QF_ok F d -> length c = d -> length delta = d ->
  qE F (vadd c (scale t delta)) ==
  qE F c + t * dot (qgrad F c) delta + t * t * (qA F * quad (qS F) delta).
Proof.
  intros [_ Hexp] Hc Hd. rewrite Hexp by (auto; unfold scale; rewrite map_length; auto).
  rewrite dot_scale_r, quad_scale. ring.
Qed.

(* moments form *)
Definition grad_mom Sigma M2 x c : list Q :=
  vsub (scale (quad M2 x) (vadd (matvec Sigma c) (vecmat c Sigma)))
       (scale 2 (matvec Sigma (matvec M2 x))).
Definition qf_mom Sigma M2 x : QF :=
  {| qE := E_mom Sigma M2 x; qgrad := grad_mom Sigma M2 x; qA := quad M2 x; qS := Sigma |}.

Theorem qf_mom_ok Sigma M2 x : QF_ok (qf_mom Sigma M2 x) (length x).
Proof.
  split; simpl.
  - intros c c' _ H. unfold E_mom. rewrite (quad_eqv _ _ _ H), (dot_eqv_l _ _ _ H). reflexivity.
  - intros c v _ _. unfold E_mom, grad_mom.
    rewrite quad_vadd, dot_vsub_l, !dot_scale_l, !dot_vadd_l.
    rewrite (dot_comm v (matvec Sigma (matvec M2 x))). ring.
Qed.

(* discrete form *)
Definition resid (x : list Q) (a : Q * list Q) (c : list Q) : list Q :=
  vsub (scale (dot x (snd a)) c) (snd a).
Fixpoint grad_disc Sigma x (atoms : list (Q * list Q)) (c : list Q) : list Q :=
  match atoms with
  | [] => []
  | a :: atoms' =>
      let r := resid x a c in
      vadd (scale (fst a * dot x (snd a)) (vadd (matvec Sigma r) (vecmat r Sigma)))
           (grad_disc Sigma x atoms' c)
  end.
Definition A_disc x (atoms : list (Q * list Q)) : Q :=
  sum (map (fun a => fst a * (dot x (snd a) * dot x (snd a))) atoms).
Definition qf_disc Sigma x atoms : QF :=
  {| qE := E_disc Sigma x atoms; qgrad := grad_disc Sigma x atoms; qA := A_disc x atoms; qS := Sigma |}.
Definition shape_disc (x : list Q) (atoms : list (Q * list Q)) : bool :=
  forallb (fun a => Nat.eqb (length (snd a)) (length x)) atoms.

Lemma scale_eqv s c c' : eqv c c' -> eqv (scale s c) (scale s c').
Proof.
  intros H. unfold scale. induction H as [|p p' c c' Hp H IH]; simpl; constructor; auto.
  rewrite !Qred_correct, Hp. reflexivity.
Qed.

Lemma vadd_eqv_l u u' w : eqv u u' -> eqv (vadd u w) (vadd u' w).
Proof.
  intros H. revert w. induction H as [|p p' u u' Hp H IH]; intros w; [apply eqv_refl|].
  destruct w as [|q w]; simpl; constructor; auto.
  rewrite !Qred_correct, Hp; reflexivity.
  apply IH.
Qed.

Lemma resid_eqv x a c c' : eqv c c' -> eqv (resid x a c) (resid x a c').
Proof. intros H. unfold resid, vsub. apply vadd_eqv_l, scale_eqv, H. Qed.

Lemma resid_vadd x a c v : length c = length (snd a) -> length v = length (snd a) ->
  eqv (resid x a (vadd c v)) (vadd (resid x a c) (scale (dot x (snd a)) v)).
Proof.
  unfold resid, vsub, scale. set (yv := dot x (snd a)). generalize (snd a) as b. intros b.
  revert c v; induction b as [|q b IH]; intros [|p c] [|w v] H1 H2; simpl in *; try discriminate.
  - constructor.
  - constructor; [rewrite !Qred_correct; ring | apply IH; lia].
Qed.

Theorem qf_disc_ok Sigma x atoms :
  shape_disc x atoms = true -> QF_ok (qf_disc Sigma x atoms) (length x).
Proof.
  unfold shape_disc. intros Hs. split; simpl.
  - intros c c' _ H. unfold E_disc. induction atoms as [|a atoms IH]; simpl map; [reflexivity|].
    simpl in Hs. apply andb_true_iff in Hs as [_ Hs].
    rewrite !sum_cons, IH by auto. unfold G. fold (resid x a c) (resid x a c').
    rewrite (quad_eqv _ _ _ (resid_eqv x a c c' H)). reflexivity.
  - intros c v Hc Hv. unfold E_disc, A_disc. induction atoms as [|a atoms IH]; simpl map.
    + simpl. rewrite dot_nil_l. ring.
    + simpl in Hs. apply andb_true_iff in Hs as [Ha Hs]. apply Nat.eqb_eq in Ha.
      rewrite !sum_cons, IH by auto. simpl grad_disc. rewrite dot_vadd_l, dot_scale_l.
      unfold G. fold (resid x a (vadd c v)) (resid x a c).
      rewrite (quad_eqv _ _ _ (resid_vadd x a c v ltac:(lia) ltac:(lia))).
      rewrite quad_vadd, dot_scale_r, quad_scale. ring.
Qed.

(** * Σ ⪰ 0 from a factorisation Σ = Σ_k D_k l_k l_kᵀ, D ≥ 0 *)
Definition outer (l : list Q) : list (list Q) := map (fun li => scale li l) l.
Fixpoint madd (A B : list (list Q)) : list (list Q) :=
  match A, B with
  | r :: A', s :: B' => vadd r s :: madd A' B'
  | [], _ => B
  | _, [] => A
  end.
Fixpoint gram (D : list Q) (L : list (list Q)) : list (list Q) :=
  match D, L with
  | dk :: D', lk :: L' => madd (map (scale dk) (outer lk)) (gram D' L')
  | _, _ => []
  end.
Definition mat_eqb (A B : list (list Q)) : bool := forall2b (forall2b Qeq_bool) A B.
Definition psd_ok (S : list (list Q)) (D : list Q) (L : list (list Q)) : bool :=
  forallb (Qle_bool 0) D && mat_eqb S (gram D L).

Lemma quad_mat_eqv S S' v : Forall2 eqv S S' -> quad S v == quad S' v.
Proof.
  intros H. unfold quad. apply dot_eqv_r. unfold matvec.
  induction H as [|r r' S S' Hr H IH]; simpl; constructor; auto. apply dot_eqv_l. auto.
Qed.

Lemma vadd_nil_r u : vadd u [] = u.
Proof. destruct u; reflexivity. Qed.

Lemma matvec_madd A B v : eqv (matvec (madd A B) v) (vadd (matvec A v) (matvec B v)).
Proof.
  revert B; induction A as [|r A IH]; intros [|s B]; simpl; try apply eqv_refl.
  constructor; [rewrite Qred_correct, dot_vadd_l; reflexivity | apply IH].
Qed.

Lemma quad_madd A B v : quad (madd A B) v == quad A v + quad B v.
Proof. unfold quad. rewrite (dot_eqv_r _ _ _ (matvec_madd A B v)), dot_vadd_r. reflexivity. Qed.

Lemma quad_mscale s M v : quad (map (scale s) M) v == s * quad M v.
Proof.
  unfold quad, matvec. generalize v at 1 3 as w. intros w.
  revert w; induction M as [|r M IH]; intros [|a w]; simpl map; rewrite ?dot_nil_l, ?dot_nil_r; try ring.
  rewrite !dot_cons, IH, dot_scale_l. ring.
Qed.

Lemma dot_map_scale_dot (l0 v w m : list Q) :
  dot w (map (fun li => dot (scale li l0) v) m) == dot l0 v * dot w m.
Proof.
  revert w; induction m as [|b m IH]; intros [|a w]; simpl map; rewrite ?dot_nil_l, ?dot_nil_r;
    try ring.
  rewrite !dot_cons, IH, dot_scale_l. ring.
Qed.

Lemma quad_outer l v : quad (outer l) v == dot l v * dot l v.
Proof.
  unfold quad, outer, matvec. rewrite map_map, dot_map_scale_dot, (dot_comm v l). reflexivity.
Qed.

Lemma quad_gram_nonneg D L v : Forall (fun d => 0 <= d) D -> 0 <= quad (gram D L) v.
Proof.
  intros HD. revert L; induction HD as [|d D Hd HD IH]; intros [|l L]; simpl gram;
    try (unfold quad, matvec; simpl map; rewrite dot_nil_r; lra).
  rewrite quad_madd, quad_mscale, quad_outer. specialize (IH L).
  assert (0 <= dot l v * dot l v) by nra. nra.
Qed.

Lemma mat_eqb_sound A B : mat_eqb A B = true -> Forall2 eqv A B.
Proof.
  unfold mat_eqb. intros H. apply forall2b_Forall2 in H.
  induction H as [|r s A B Hrs H IH]; constructor; auto.
  apply forall2b_Forall2 in Hrs. unfold eqv.
  induction Hrs; constructor; auto. apply Qeq_bool_sound. auto.
Qed.

Theorem psd_ok_sound S D L : psd_ok S D L = true -> forall v, 0 <= quad S v.
Proof.
  unfold psd_ok. intros H v. apply andb_true_iff in H as [H1 H2].
  rewrite (quad_mat_eqv _ _ v (mat_eqb_sound _ _ H2)). apply quad_gram_nonneg.
  apply Forall_forall. rewrite forallb_forall in H1. intros d Hd. apply Qle_bool_sound. auto.
Qed.

(** * KKT optimality over a face *)
Fixpoint kkt_ok (sb : Q -> bool) (nu : Q) (x c mu g : list Q) : bool :=
  match x, c, mu, g with
  | xi :: x', ci :: c', mi :: mu', gi :: g' =>
      Qle_bool 0 ci &&
      (if sb xi then Qle_bool 0 mi && Qeq_bool (mi * ci) 0 && Qeq_bool (gi - nu * xi) mi
       else Qeq_bool ci 0 && Qeq_bool mi 0) &&
      kkt_ok sb nu x' c' mu' g'
  | [], [], [], [] => true
  | _, _, _, _ => false
  end.

Lemma kkt_ok_spec sb nu x c mu g : kkt_ok sb nu x c mu g = true ->
  length c = length x /\ length g = length x /\
  forall i, (i < length x)%nat ->
    0 <= nth i c 0 /\
    (sb (nth i x 0) = true -> 0 <= nth i mu 0 /\ nth i mu 0 * nth i c 0 == 0 /\
                              nth i g 0 - nu * nth i x 0 == nth i mu 0) /\
    (sb (nth i x 0) = false -> nth i c 0 == 0).
Proof.
  revert c mu g; induction x as [|xi x IH]; intros [|ci c] [|mi mu] [|gi g] H; simpl in H;
    try discriminate.
  - split; auto. split; auto. simpl. intros; lia.
  - apply andb_true_iff in H as [H H3]. apply andb_true_iff in H as [H1 H2].
    destruct (IH c mu g H3) as [L1 [L2 P]]. simpl. split; [lia|]. split; [lia|].
    intros [|i] Hi; [|apply P; lia].
    split; [apply Qle_bool_sound; auto|].
    destruct (sb xi).
    + split; [|discriminate]. intros _. andb_split.
      split; [apply Qle_bool_sound; auto|]. split; apply Qeq_bool_sound; auto.
    + split; [discriminate|]. intros _. andb_split. apply Qeq_bool_sound; auto.
Qed.

Definition cert : Type := (list Q * Q * list Q * Q)%type.  (* (c, ν, μ, value) *)
Definition cc (k : cert) : list Q := let '(c, _, _, _) := k in c.
Definition cv (k : cert) : Q := let '(_, _, _, v) := k in v.

Definition check_face (F : QF) (sb : Q -> bool) (x : list Q) (k : cert) : bool :=
  let '(c, nu, mu, v) := k in
  let g := qgrad F c in
  kkt_ok sb nu x c mu g && Qeq_bool (dot x c) 1 && Qeq_bool (qE F c) v.

Lemma dot_nonneg_nth u w : length u = length w ->
  (forall i, (i < length u)%nat -> 0 <= nth i u 0 * nth i w 0) -> 0 <= dot u w.
Proof.
  revert w; induction u as [|a u IH]; intros [|b w] L H; simpl in L; try discriminate.
  rewrite dot_cons. pose proof (H 0%nat ltac:(simpl; lia)). simpl in H0.
  assert (0 <= dot u w) by (apply IH; [lia| intros i Hi; apply (H (S i)); simpl; lia]). lra.
Qed.

Lemma nth_vsub a b i : length a = length b -> (i < length a)%nat ->
  nth i (vsub a b) 0 == nth i a 0 - nth i b 0.
Proof.
  unfold vsub, scale. revert b i; induction a as [|p a IH]; intros [|q b] i L Hi; simpl in *;
    try lia.
  destruct i as [|i]; [rewrite !Qred_correct; ring|]. apply IH; lia.
Qed.

Lemma nth_scale_x nu x i : (i < length x)%nat -> nth i (scale nu x) 0 == nu * nth i x 0.
Proof.
  unfold scale. revert i; induction x as [|p x IH]; intros i Hi; simpl in *; [lia|].
  destruct i as [|i]; [rewrite Qred_correct; reflexivity|]. apply IH; lia.
Qed.

Theorem check_face_sound F sb x k :
  QF_ok F (length x) -> 0 <= qA F -> (forall v, 0 <= quad (qS F) v) ->
  check_face F sb x k = true -> face_min (qE F) sb x (cc k) (cv k).
Proof.
  intros [Heqv Hexp] HA Hpsd. destruct k as [[[c nu] mu] v]. unfold check_face. simpl cc; simpl cv.
  intros H. apply andb_true_iff in H as [H H3]. apply andb_true_iff in H as [H1 H2].
  apply Qeq_bool_sound in H2, H3.
  destruct (kkt_ok_spec _ _ _ _ _ _ H1) as [Lc [Lg P]].
  assert (Hface : in_face sb x c).
  { split; auto. split; auto. intros i Hi. destruct (P i Hi) as [P1 [_ P3]]. split; auto. }
  split; auto. split; auto.
  intros c' [Lc' [P' D']].
  set (w := vsub c' c).
  assert (Lw : length w = length x) by (unfold w; rewrite length_vsub; lia).
  assert (Ec : qE F c' == qE F (vadd c w)).
  { apply Heqv; [auto|]. unfold w.
    assert (E := vadd_vsub c c' ltac:(lia)). clear -E. induction E; constructor; auto.
    symmetry; auto. }
  rewrite Ec, (Hexp c w) by auto.
  set (u := vsub (qgrad F c) (scale nu x)).
  assert (Hg : dot (qgrad F c) w == dot u w + nu * dot x w).
  { unfold u. rewrite dot_vsub_l, dot_scale_l. ring. }
  assert (Hxw : dot x w == 0) by (unfold w; rewrite dot_vsub_r, D', H2; ring).
  assert (Hu : 0 <= dot u w).
  { apply dot_nonneg_nth.
    - unfold u, w. rewrite !length_vsub by (unfold scale; rewrite ?map_length; lia).
      unfold scale. lia.
    - intros i Hi. unfold u in Hi. rewrite length_vsub in Hi by (unfold scale; rewrite map_length; lia).
      rewrite Lg in Hi.
      unfold u, w. rewrite nth_vsub by (unfold scale; rewrite ?map_length; lia).
      rewrite nth_vsub by lia. rewrite nth_scale_x by lia.
      destruct (P i Hi) as [Pc [Pin Pout]]. destruct (P' i Hi) as [Pc' Pout'].
      destruct (sb (nth i x 0)) eqn:Es.
      + destruct (Pin eq_refl) as [Pm [Pmc Pg]]. rewrite Pg. nra.
      + rewrite (Pout eq_refl), (Pout' eq_refl). lra. }
  assert (0 <= qA F * quad (qS F) w) by (specialize (Hpsd w); nra).
  rewrite Hg, Hxw. lra.
Qed.

(** * best-linear *)
Definition convex_ok (F : QF) (D : list Q) (L : list (list Q)) : bool :=
  psd_ok (qS F) D L && Qle_bool 0 (qA F).

Lemma convex_ok_sound F D L : convex_ok F D L = true ->
  0 <= qA F /\ forall v, 0 <= quad (qS F) v.
Proof.
  unfold convex_ok. intros H. apply andb_true_iff in H as [H1 H2].
  split; [apply Qle_bool_sound; auto | apply (psd_ok_sound _ _ _ H1)].
Qed.

Definition check_best_linear (F : QF) D L x (k : cert) : bool :=
  convex_ok F D L && check_face F (fun _ => true) x k.

Theorem check_best_linear_sound F D L x (Fok : QF_ok F (length x)) k :
  check_best_linear F D L x k = true -> best_linear_claim (qE F) x (cc k) (cv k).
Proof.
  unfold check_best_linear. intros H. apply andb_true_iff in H as [H1 H2].
  destruct (convex_ok_sound _ _ _ H1). apply check_face_sound; auto.
Qed.

(** * levels *)
Definition levels_ok (x lv : list Q) : bool :=
  decb lv && forallb (fun xi => existsb (Qeq_bool xi) lv) x &&
  forallb (fun l => existsb (fun xi => Qeq_bool xi l) x) lv.

Lemma levels_ok_sound x lv : levels_ok x lv = true -> levels x lv.
Proof.
  unfold levels_ok. intros H. andb_split. split; [|split].
  - intros j Hj. apply (decb_step lv j); auto; apply nth_error_nth'; lia.
  - intros xi Hx. rewrite forallb_forall in H1. specialize (H1 xi Hx).
    apply existsb_exists in H1 as [l [Hl E]]. apply In_nth with (d := 0) in Hl as [k [Hk Ek]].
    exists k. split; auto. rewrite Ek. apply Qeq_bool_sound; auto.
  - intros k Hk. rewrite forallb_forall in H0. specialize (H0 (nth k lv 0) (nth_In _ _ Hk)).
    apply existsb_exists in H0 as [xi [Hx E]]. exists xi. split; auto. apply Qeq_bool_sound; auto.
Qed.

(** * neither-bias / end-optimal *)
Fixpoint check_segs (F : QF) (lv x : list Q) (j : nat) (ks : list cert) (segs : list Q) : bool :=
  match ks, segs with
  | k :: ks', s :: segs' =>
      check_face F (seg_face lv j) x k && Qeq_bool s (cv k) && check_segs F lv x (S j) ks' segs'
  | [], [] => true
  | _, _ => false
  end.

Lemma check_segs_sound F lv x j ks segs :
  QF_ok F (length x) -> 0 <= qA F -> (forall v, 0 <= quad (qS F) v) ->
  check_segs F lv x j ks segs = true ->
  length ks = length segs /\
  forall i, (i < length segs)%nat -> exists cj, face_min (qE F) (seg_face lv (j + i)) x cj (nth i segs 0).
Proof.
  intros Fok HA Hpsd. revert j segs; induction ks as [|k ks IH]; intros j [|s segs] H;
    simpl in H; try discriminate.
  - split; auto. simpl. intros; lia.
  - andb_split. destruct (IH (S j) segs H0) as [L P]. simpl. split; [lia|].
    intros [|i] Hi.
    + exists (cc k). rewrite Nat.add_0_r. pose proof (check_face_sound _ _ _ _ Fok HA Hpsd H) as [Hf [Hv Hm]].
      apply Qeq_bool_sound in H1. simpl nth. split; auto. split; [rewrite Hv, H1; reflexivity|].
      intros c' Hc'. rewrite H1. auto.
    + replace (j + S i)%nat with (S j + i)%nat by lia. apply P. lia.
Qed.

Definition dflt : cert := ([], 0, [], 0).
Definition cnu (k : cert) : Q := let '(_, nu, _, _) := k in nu.
Definition cmu (k : cert) : list Q := let '(_, _, mu, _) := k in mu.

Definition check_front (F : QF) D L (x lv : list Q) (kn ks : cert) (kseg : list cert)
    (mn ms : Q) (segs : list Q) (value : Q) (seg : option N) (t : option Q) (c : list Q)
    (marn mars : Q) : bool :=
  convex_ok F D L && forallb (Qlt_bool 0) x && levels_ok x lv &&
  check_face F (level_face lv 0) x kn && Qeq_bool mn (cv kn) &&
  check_face F (level_face lv (length lv - 1)) x ks && Qeq_bool ms (cv ks) &&
  Nat.eqb (length segs) (length lv - 1) && check_segs F lv x 0 kseg segs &&
  forallb (Qle_bool value) segs &&
  match seg, t with
  | Some s, Some tv =>
      let sn := N.to_nat s in
      let k := nth sn kseg dflt in
      Nat.ltb sn (length segs) &&
      check_face F (seg_face lv sn) x (c, cnu k, cmu k, value) &&
      Qeq_bool (nth sn segs 0) value &&
      forallb (Qlt_bool value) (firstn sn segs) &&
      Qeq_bool tv (mass (level_face lv (S sn)) x c)
  | None, None =>
      Nat.eqb (length lv) 1 && check_face F (level_face lv 0) x (c, cnu kn, cmu kn, value) &&
      Qeq_bool value mn
  | _, _ => false
  end &&
  Qeq_bool marn (mn - value) && Qeq_bool mars (ms - value).

Theorem check_front_sound F D L x (Fok : QF_ok F (length x)) lv kn ks kseg mn ms segs value seg t c
    marn mars :
  check_front F D L x lv kn ks kseg mn ms segs value seg t c marn mars = true ->
  front_claim (qE F) x lv mn ms segs value seg t c marn mars.
Proof.
  unfold check_front. intros H.
  apply andb_true_iff in H as [H Hms]. apply andb_true_iff in H as [H Hmn].
  apply andb_true_iff in H as [H Hst]. apply andb_true_iff in H as [H Hle].
  apply andb_true_iff in H as [H Hsegs]. apply andb_true_iff in H as [H Hlen].
  apply andb_true_iff in H as [H Hmsv]. apply andb_true_iff in H as [H Hks].
  apply andb_true_iff in H as [H Hmnv]. apply andb_true_iff in H as [H Hkn].
  apply andb_true_iff in H as [H Hlv]. apply andb_true_iff in H as [Hcv Hpos].
  destruct (convex_ok_sound _ _ _ Hcv) as [HA Hpsd].
  apply Qeq_bool_sound in Hms, Hmn, Hmsv, Hmnv. apply Nat.eqb_eq in Hlen.
  destruct (check_segs_sound _ _ _ _ _ _ Fok HA Hpsd Hsegs) as [Lks Psegs].
  rewrite forallb_forall in Hle.
  assert (Hv_le : forall j, (j < length segs)%nat -> value <= nth j segs 0).
  { intros j Hj. apply Qle_bool_sound, Hle, nth_In, Hj. }
  split.
  { intros xi Hx. rewrite forallb_forall in Hpos. apply Qlt_bool_sound, Hpos, Hx. }
  split; [apply levels_ok_sound; auto|].
  split.
  { exists (cc kn). pose proof (check_face_sound _ _ _ _ Fok HA Hpsd Hkn) as [Hf [Hv Hm]].
    split; auto. split; [rewrite Hv, Hmnv; reflexivity|]. intros c' Hc'. rewrite Hmnv. auto. }
  split.
  { exists (cc ks). pose proof (check_face_sound _ _ _ _ Fok HA Hpsd Hks) as [Hf [Hv Hm]].
    split; auto. split; [rewrite Hv, Hmsv; reflexivity|]. intros c' Hc'. rewrite Hmsv. auto. }
  split; [auto|].
  split; [intros j Hj; apply (Psegs j Hj)|].
  assert (Hall : forall j c', (j < length segs)%nat -> in_face (seg_face lv j) x c' -> value <= qE F c').
  { intros j c' Hj Hc'. destruct (Psegs j Hj) as [cj [_ [_ Hm]]]. simpl in Hm.
    eapply Qle_trans; [apply Hv_le, Hj | apply Hm, Hc']. }
  clear Hkn Hks Hsegs.
  destruct seg as [s|], t as [tv|]; try discriminate.
  - apply andb_true_iff in Hst as [Hst Ht]. apply andb_true_iff in Hst as [Hst Hfirst].
    apply andb_true_iff in Hst as [Hst Hsv]. apply andb_true_iff in Hst as [Hlt Hf0].
    pose proof (check_face_sound _ _ _ _ Fok HA Hpsd Hf0) as [Hf [Hv _]].
    simpl cc in Hf, Hv; simpl cv in Hv.
    split; [auto|]. split; [auto|]. split.
    { split; [apply Nat.ltb_lt; auto|]. split; [auto|].
      split; [apply Qeq_bool_sound; auto|].
      split; [|apply Qeq_bool_sound; auto].
      intros j Hj. rewrite forallb_forall in Hfirst. apply Qlt_bool_sound, Hfirst.
      apply Nat.ltb_lt in Hlt.
      rewrite <- (firstn_skipn (N.to_nat s) segs) at 1.
      rewrite app_nth1 by (rewrite firstn_length; lia). apply nth_In. rewrite firstn_length. lia. }
    split; auto.
  - apply andb_true_iff in Hst as [Hst Hvm]. apply andb_true_iff in Hst as [Hl1 Hf0].
    pose proof (check_face_sound _ _ _ _ Fok HA Hpsd Hf0) as [Hf [Hv _]].
    simpl cc in Hf, Hv; simpl cv in Hv.
    split; [auto|]. split; [auto|]. split.
    { split; [apply Nat.eqb_eq; auto|]. split; [auto|]. apply Qeq_bool_sound; auto. }
    split; auto.
Qed.

Definition check_neither_bias F D L x lv kn ks kseg mn ms segs value seg t c marn mars : bool :=
  check_front F D L x lv kn ks kseg mn ms segs value seg t c marn mars &&
  Qlt_bool 0 marn && Qlt_bool 0 mars.

Theorem check_neither_bias_sound F D L x (Fok : QF_ok F (length x)) lv kn ks kseg mn ms segs value seg t
    c marn mars :
  check_neither_bias F D L x lv kn ks kseg mn ms segs value seg t c marn mars = true ->
  neither_bias_claim (qE F) x lv mn ms segs value seg t c marn mars.
Proof.
  unfold check_neither_bias. intros H. andb_split.
  split; [eapply check_front_sound; eauto|]. split; apply Qlt_bool_sound; auto.
Qed.

Definition end_ok (e : End) (marn mars : Q) : bool :=
  match e with
  | EndNorm => Qeq_bool marn 0 && Qlt_bool 0 mars
  | EndSharp => Qeq_bool mars 0 && Qlt_bool 0 marn
  | EndBoth => Qeq_bool marn 0 && Qeq_bool mars 0
  end.

Definition check_end_optimal F D L x lv kn ks kseg mn ms segs value seg t c marn mars e : bool :=
  check_front F D L x lv kn ks kseg mn ms segs value seg t c marn mars && end_ok e marn mars.

Theorem check_end_optimal_sound F D L x (Fok : QF_ok F (length x)) lv kn ks kseg mn ms segs value seg t
    c marn mars e :
  check_end_optimal F D L x lv kn ks kseg mn ms segs value seg t c marn mars e = true ->
  end_optimal_claim (qE F) x lv mn ms segs value seg t c marn mars e.
Proof.
  unfold check_end_optimal. intros H. apply andb_true_iff in H as [H1 H2].
  split; [eapply check_front_sound; eauto|].
  destruct e; simpl in H2; andb_split;
    (split; [try apply Qeq_bool_sound; try apply Qlt_bool_sound; auto
            | try apply Qeq_bool_sound; try apply Qlt_bool_sound; auto]).
Qed.
