(* The GD learner (SPEC §4.1, FORMAT.md §4.8 `gd-learner`): GD run on each teacher atom's own
   label from the same α·1, its expected error E_GD = Σ_a p_a G(β∞_a; β⋆_a) over R, and its
   comparison with the two ends of the Pareto set (the face minima of T1G.v). *)
From Coq Require Import Reals Lra Lia List QArith Qreals Bool.
From DLN Require Import Vec T1G GD GDCheck.
Import ListNotations.
Local Open Scope R_scope.

(** * The statement *)

(* G(β; β⋆) = (β − β⋆)ᵀ Σ (β − β⋆) over R, d = length β⋆ *)
Definition Gr (Sigma : list (list Q)) (b : list R) (bs : list Q) : R :=
  let d := length bs in
  sumn d (fun i => sumn d (fun j => Q2R (nth j (nth i Sigma []) 0%Q) *
    ((nth i b 0 - Q2R (nth i bs 0%Q)) * (nth j b 0 - Q2R (nth j bs 0%Q))))).

(* E_GD = Σ_a p_a G(limit_a; β⋆_a) *)
Definition EGD (Sigma : list (list Q)) (atoms : list (Q * list Q)) (limits : list (list R)) : R :=
  sumn (length atoms) (fun a => Q2R (fst (nth a atoms (0%Q, []))) *
    Gr Sigma (nth a limits []) (snd (nth a atoms (0%Q, [])))).

(* the `gd-learner` claim: for every atom a, GD at η from α·1 on (x, ⟨x, β⋆_a⟩) converges to a
   zero-loss limit_a; E_GD lies in ee; a true flag states E_GD < En (beats min-norm), E_GD < Es
   (beats min-sharpness), E_GD > En, E_GD > Es *)
Definition gd_learner_claim (x : list Q) (alpha eta : Q) (Sigma : list (list Q))
    (atoms : list (Q * list Q)) (ee : Q * Q) (En Es : Q) (bn bs ln ls : bool) : Prop :=
  exists limits : list (list R),
    length limits = length atoms /\
    (forall a, (a < length atoms)%nat ->
       gd_converges (Q2R eta) (Q2R (dot x (snd (nth a atoms (0%Q, []))))) (Q2R alpha) (map Q2R x)
         (nth a limits [])) /\
    within ee (EGD Sigma atoms limits) /\
    (bn = true -> EGD Sigma atoms limits < Q2R En) /\
    (bs = true -> EGD Sigma atoms limits < Q2R Es) /\
    (ln = true -> Q2R En < EGD Sigma atoms limits) /\
    (ls = true -> Q2R Es < EGD Sigma atoms limits).

(* En and Es are E(min-norm) and E(min-sharpness): the minima of E over the two end faces *)
Definition ends_of (E : list Q -> Q) (x lv : list Q) (En Es : Q) : Prop :=
  (exists c0, face_min E (level_face lv 0) x c0 En) /\
  (exists c1, face_min E (level_face lv (length lv - 1)) x c1 Es).

Lemma front_ends E x lv mn ms segs value seg t c marn mars :
  front_claim E x lv mn ms segs value seg t c marn mars -> ends_of E x lv mn ms.
Proof. intros [_ [_ [H0 [H1 _]]]]. split; assumption. Qed.

Lemma face_min_eq E sb x c v v' : face_min E sb x c v -> (v == v')%Q -> face_min E sb x c v'.
Proof.
  intros [Hin [HE Hmin]] Hv. split; [exact Hin|]. split.
  - rewrite HE. exact Hv.
  - intros c' Hc'. rewrite <- Hv. apply Hmin, Hc'.
Qed.

Lemma ends_eq E x lv mn ms En Es :
  ends_of E x lv mn ms -> (Qeq_bool mn En && Qeq_bool ms Es)%bool = true -> ends_of E x lv En Es.
Proof.
  intros [[c0 H0] [c1 H1]] H. apply andb_true_iff in H as [Hn Hs].
  apply Qeq_bool_iff in Hn, Hs.
  split; [exists c0; eapply face_min_eq; eauto | exists c1; eapply face_min_eq; eauto].
Qed.

(** * Enclosing G over a box *)

Definition qmin (a b : Q) : Q := if Qle_bool a b then a else b.
Definition qmax (a b : Q) : Q := if Qle_bool a b then b else a.
Lemma Q2R_qmin a b : Q2R (qmin a b) = Rmin (Q2R a) (Q2R b).
Proof.
  unfold qmin, Rmin. destruct (Qle_bool a b) eqn:E; destruct (Rle_dec _ _) as [H|H]; auto.
  - apply Qleb_R in E. lra.
  - apply Qle_Rle in H || idtac. apply Rle_Qle in H. apply Qle_bool_iff in H. congruence.
Qed.
Lemma Q2R_qmax a b : Q2R (qmax a b) = Rmax (Q2R a) (Q2R b).
Proof.
  unfold qmax, Rmax. destruct (Qle_bool a b) eqn:E; destruct (Rle_dec _ _) as [H|H]; auto.
  - apply Qleb_R in E. lra.
  - apply Rle_Qle in H. apply Qle_bool_iff in H. congruence.
Qed.

(* the range of u·v over [a, b] × [c, e] *)
Definition mul_lo a b c e := qmin (qmin (a * c) (a * e)) (qmin (b * c) (b * e)).
Definition mul_hi a b c e := qmax (qmax (a * c) (a * e)) (qmax (b * c) (b * e)).
(* the range of t² over [a, b] *)
Definition sq_lo (a b : Q) : Q := if Qle_bool 0 a then a * a else if Qle_bool b 0 then b * b else 0.
Definition sq_hi (a b : Q) : Q := qmax (a * a) (b * b).
(* the range of s·w for w ∈ [lo, hi] *)
Definition scal_lo s lo hi := qmin (s * lo) (s * hi).
Definition scal_hi s lo hi := qmax (s * lo) (s * hi).

Lemma mul_range a b c e u v : Q2R a <= u <= Q2R b -> Q2R c <= v <= Q2R e ->
  Q2R (mul_lo a b c e) <= u * v <= Q2R (mul_hi a b c e).
Proof.
  intros Hu Hv. unfold mul_lo, mul_hi. rewrite !Q2R_qmin, !Q2R_qmax, !Q2R_mult.
  pose proof (mul_lin _ _ u v Hu) as [H1 H2].
  pose proof (mul_lin _ _ v (Q2R a) Hv) as [H3 H4].
  pose proof (mul_lin _ _ v (Q2R b) Hv) as [H5 H6].
  rewrite (Rmult_comm (Q2R a) v), (Rmult_comm (Q2R b) v) in *.
  unfold Rmin, Rmax in *. repeat destruct (Rle_dec _ _); split; lra.
Qed.

Lemma sq_range a b u : Q2R a <= u <= Q2R b -> Q2R (sq_lo a b) <= u * u <= Q2R (sq_hi a b).
Proof.
  intros Hu. unfold sq_lo, sq_hi. rewrite Q2R_qmax, !Q2R_mult. split.
  - destruct (Qle_bool 0 a) eqn:E1; [apply Qleb_R in E1; rewrite Q2R_Z in E1; rewrite Q2R_mult; nra|].
    destruct (Qle_bool b 0) eqn:E2; [apply Qleb_R in E2; rewrite Q2R_Z in E2; rewrite Q2R_mult; nra|].
    rewrite Q2R_Z. nra.
  - unfold Rmax. destruct (Rle_dec _ _); destruct (Rle_dec 0 u); nra.
Qed.

Lemma scal_range s lo hi w : Q2R lo <= w <= Q2R hi ->
  Q2R (scal_lo s lo hi) <= Q2R s * w <= Q2R (scal_hi s lo hi).
Proof.
  intros H. unfold scal_lo, scal_hi. rewrite Q2R_qmin, Q2R_qmax, !Q2R_mult.
  unfold Rmin, Rmax. destruct (Rle_dec _ _); destruct (Rle_dec 0 (Q2R s)); split; nra.
Qed.

(* bounds of G(β; β⋆) for β in box *)
Definition term_lo (Sigma : list (list Q)) (box : list (Q * Q)) (bs : list Q) (i j : nat) : Q :=
  let a := (fst (nth i box (0, 0)) - nth i bs 0)%Q in let b := (snd (nth i box (0, 0)) - nth i bs 0)%Q in
  let c := (fst (nth j box (0, 0)) - nth j bs 0)%Q in let e := (snd (nth j box (0, 0)) - nth j bs 0)%Q in
  let s := nth j (nth i Sigma []) 0%Q in
  if Nat.eqb i j then scal_lo s (sq_lo a b) (sq_hi a b) else scal_lo s (mul_lo a b c e) (mul_hi a b c e).
Definition term_hi (Sigma : list (list Q)) (box : list (Q * Q)) (bs : list Q) (i j : nat) : Q :=
  let a := (fst (nth i box (0, 0)) - nth i bs 0)%Q in let b := (snd (nth i box (0, 0)) - nth i bs 0)%Q in
  let c := (fst (nth j box (0, 0)) - nth j bs 0)%Q in let e := (snd (nth j box (0, 0)) - nth j bs 0)%Q in
  let s := nth j (nth i Sigma []) 0%Q in
  if Nat.eqb i j then scal_hi s (sq_lo a b) (sq_hi a b) else scal_hi s (mul_lo a b c e) (mul_hi a b c e).
Definition G_lo Sigma box bs : Q :=
  let d := length bs in sumnQ d (fun i => sumnQ d (fun j => term_lo Sigma box bs i j)).
Definition G_hi Sigma box bs : Q :=
  let d := length bs in sumnQ d (fun i => sumnQ d (fun j => term_hi Sigma box bs i j)).

Lemma G_range Sigma box bs b :
  (forall i, (i < length bs)%nat ->
     Q2R (fst (nth i box (0, 0)%Q)) <= nth i b 0 <= Q2R (snd (nth i box (0, 0)%Q))) ->
  Q2R (G_lo Sigma box bs) <= Gr Sigma b bs <= Q2R (G_hi Sigma box bs).
Proof.
  intros Hb. unfold G_lo, G_hi, Gr. cbv zeta. rewrite !Q2R_sumnQ.
  rewrite (sumn_ext _ (fun i => Q2R (sumnQ _ _)) (fun i => sumn (length bs) (fun j => Q2R (term_lo Sigma box bs i j))))
    by (intros; apply Q2R_sumnQ).
  rewrite (sumn_ext _ (fun i => Q2R (sumnQ _ (fun j => term_hi _ _ _ i j))) (fun i => sumn (length bs) (fun j => Q2R (term_hi Sigma box bs i j))))
    by (intros; apply Q2R_sumnQ).
  split; apply sumn_le; intros i Hi; apply sumn_le; intros j Hj.
  all: pose proof (Hb i Hi) as Hbi; pose proof (Hb j Hj) as Hbj.
  all: assert (Di : Q2R (fst (nth i box (0, 0)%Q) - nth i bs 0%Q) <= nth i b 0 - Q2R (nth i bs 0%Q) <=
                   Q2R (snd (nth i box (0, 0)%Q) - nth i bs 0%Q)) by (rewrite !Q2R_minus; lra).
  all: assert (Dj : Q2R (fst (nth j box (0, 0)%Q) - nth j bs 0%Q) <= nth j b 0 - Q2R (nth j bs 0%Q) <=
                   Q2R (snd (nth j box (0, 0)%Q) - nth j bs 0%Q)) by (rewrite !Q2R_minus; lra).
  all: unfold term_lo, term_hi; cbv zeta; destruct (Nat.eqb_spec i j) as [<-|Hne].
  all: try (pose proof (scal_range (nth i (nth i Sigma []) 0%Q) _ _ _ (sq_range _ _ _ Di)); lra).
  all: pose proof (scal_range (nth j (nth i Sigma []) 0%Q) _ _ _ (mul_range _ _ _ _ _ _ Di Dj)); lra.
Qed.

(* finitely many choices: no axiom *)
Lemma choose_list (n : nat) (P : nat -> list R -> Prop) :
  (forall a, (a < n)%nat -> exists b, P a b) ->
  exists l, length l = n /\ forall a, (a < n)%nat -> P a (nth a l []).
Proof.
  induction n as [|n IH]; intros H.
  - exists []. split; [reflexivity|]. intros; lia.
  - destruct IH as [l [Hl Hp]]; [intros; apply H; lia|].
    destruct (H n ltac:(lia)) as [b Hb].
    exists (l ++ [b]). split; [rewrite app_length, Hl; simpl; lia|].
    intros a Ha. destruct (Nat.eq_dec a n) as [->|Hne].
    + rewrite app_nth2 by lia. rewrite Hl, Nat.sub_diag. exact Hb.
    + rewrite app_nth1 by lia. apply Hp. lia.
Qed.

(** * The checker *)

Definition learner_rest (x : list Q) (Sigma : list (list Q)) (atoms : list (Q * list Q)) (runs : list run)
    (ee : Q * Q) (En Es : Q) (bn bs ln ls : bool) : bool :=
  let n := length atoms in
  let at_ a := nth a atoms (0%Q, []) in
  let run_ a := nth a runs (mkrun 0 0 0 0 [] [] [] (dzero, dzero) (dzero, dzero) []) in
  let lo := sumnQ n (fun a => scal_lo (fst (at_ a)) (G_lo Sigma (rbox (run_ a)) (snd (at_ a)))
                                               (G_hi Sigma (rbox (run_ a)) (snd (at_ a)))) in
  let hi := sumnQ n (fun a => scal_hi (fst (at_ a)) (G_lo Sigma (rbox (run_ a)) (snd (at_ a)))
                                               (G_hi Sigma (rbox (run_ a)) (snd (at_ a)))) in
  Nat.eqb (length runs) n &&
  all_idx n (fun a => Qeq_bool (ry (run_ a)) (dot x (snd (at_ a))) &&
                      Nat.eqb (length (snd (at_ a))) (length x)) &&
  Qle_bool (fst ee) lo && Qle_bool hi (snd ee) &&
  implb bn (Qltb hi En) && implb bs (Qltb hi Es) && implb ln (Qltb En lo) && implb ls (Qltb Es lo).

Theorem check_learner_sound x alpha eta Sigma atoms runs ee En Es bn bs ln ls :
  Forall (fun r => run_ok x alpha eta r = true) runs ->
  learner_rest x Sigma atoms runs ee En Es bn bs ln ls = true ->
  gd_learner_claim x alpha eta Sigma atoms ee En Es bn bs ln ls.
Proof.
  intros Hruns H. unfold learner_rest in H. cbv zeta in H.
  peel H Hls. peel H Hln. peel H Hbs. peel H Hbn. peel H Hhi. peel H Hlo. peel H Hall.
  rename H into Hlen. apply Nat.eqb_eq in Hlen.
  pose proof (all_idx_spec _ _ Hall) as Hi. clear Hall.
  set (dr := mkrun 0 0 0 0 [] [] [] (dzero, dzero) (dzero, dzero) []) in *.
  (* one limit per atom *)
  assert (Hlim : forall a, (a < length atoms)%nat -> exists binf,
    gd_limit_in x (ry (nth a runs dr)) alpha eta (rbox (nth a runs dr)) binf).
  { intros a Ha. apply check_run_sound with (K := rK (nth a runs dr)) (p := rp (nth a runs dr))
      (q := rq (nth a runs dr)) (c2 := rc2 (nth a runs dr)) (s4 := rs4 (nth a runs dr))
      (u4 := ru4 (nth a runs dr)) (b0 := rb0 (nth a runs dr)) (r0 := rr0 (nth a runs dr)).
    rewrite Forall_forall in Hruns. apply Hruns, nth_In. lia. }
  destruct (choose_list _ _ Hlim) as [limits [Hll Hnth]].
  assert (HE : Q2R (sumnQ (length atoms) (fun a => scal_lo (fst (nth a atoms (0%Q, [])))
                 (G_lo Sigma (rbox (nth a runs dr)) (snd (nth a atoms (0%Q, []))))
                 (G_hi Sigma (rbox (nth a runs dr)) (snd (nth a atoms (0%Q, []))))))
               <= EGD Sigma atoms limits <=
               Q2R (sumnQ (length atoms) (fun a => scal_hi (fst (nth a atoms (0%Q, [])))
                 (G_lo Sigma (rbox (nth a runs dr)) (snd (nth a atoms (0%Q, []))))
                 (G_hi Sigma (rbox (nth a runs dr)) (snd (nth a atoms (0%Q, []))))))).
  { unfold EGD. rewrite !Q2R_sumnQ. split; apply sumn_le; intros a Ha;
      specialize (Hi a Ha); cbv zeta in Hi; apply andb_true_iff in Hi as [_ Hd]; apply Nat.eqb_eq in Hd;
      destruct (Hnth a Ha) as [_ [Hbl Hbox]];
      (assert (HG : Q2R (G_lo Sigma (rbox (nth a runs dr)) (snd (nth a atoms (0%Q, []))))
                   <= Gr Sigma (nth a limits []) (snd (nth a atoms (0%Q, [])))
                   <= Q2R (G_hi Sigma (rbox (nth a runs dr)) (snd (nth a atoms (0%Q, [])))));
       [apply G_range; intros i Hi'; apply Hbox; rewrite <- Hbl; destruct (Hnth a Ha) as [[Hl _] _];
        rewrite Hl, map_length; lia|]);
      pose proof (scal_range (fst (nth a atoms (0%Q, []))) _ _ _ HG); lra. }
  exists limits. split; [|split; [|split]].
  - exact Hll.
  - intros a Ha. specialize (Hi a Ha). cbv zeta in Hi. apply andb_true_iff in Hi as [Hy _].
    apply Qeq_bool_iff, Qeq_eqR in Hy. rewrite <- Hy. apply Hnth, Ha.
  - apply Qleb_R in Hlo, Hhi. split; lra.
  - apply Qleb_R in Hlo, Hhi.
    repeat split; intros Hf; subst;
      [apply Qltb_R in Hbn | apply Qltb_R in Hbs | apply Qltb_R in Hln | apply Qltb_R in Hls]; lra.
Qed.
