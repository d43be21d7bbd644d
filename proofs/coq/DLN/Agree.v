(* The discrete-prior error straight from the model equals the moments form with
   M2 = Σ_a p_a β⋆_a β⋆_aᵀ (SPEC §3), for a symmetric Σ. *)
From Coq Require Import QArith Qabs List Bool Lia Lqa.
From DLN Require Import Vec T1 T1Check T1G.
Import ListNotations.
Open Scope Q_scope.
Arguments Qred : simpl never.
Arguments Qmult : simpl never.
Arguments Qplus : simpl never.
Arguments Qopp : simpl never.

(* M2 = Σ_a p_a β⋆_a β⋆_aᵀ *)
Fixpoint M2_of (atoms : list (Q * list Q)) : list (list Q) :=
  match atoms with
  | [] => []
  | a :: atoms' => madd (map (scale (fst a)) (outer (snd a))) (M2_of atoms')
  end.

(* Σ symmetric, as a bilinear form *)
Definition sym (S : list (list Q)) : Prop := forall u v, dot u (matvec S v) == dot v (matvec S u).

Lemma eqv_trans u v w : eqv u v -> eqv v w -> eqv u w.
Proof.
  intros H; revert w; induction H as [|a b u v Hab H IH]; intros w H2; inversion H2; subst;
    constructor; [rewrite Hab; auto | apply IH; auto].
Qed.

Lemma matvec_mscale s M v : eqv (matvec (map (scale s) M) v) (scale s (matvec M v)).
Proof.
  unfold matvec, scale at 2. rewrite !map_map. induction M as [|r M IH]; simpl; constructor; auto.
  rewrite dot_scale_l, Qred_correct. reflexivity.
Qed.

Lemma matvec_outer b v : eqv (matvec (outer b) v) (scale (dot b v) b).
Proof.
  unfold matvec, outer, scale at 2. rewrite !map_map. induction b as [|c b' IH] using rev_ind; [constructor|].
  rewrite !map_app. apply Forall2_app; [|constructor; [|constructor]].
  - clear IH. generalize (b' ++ [c]) as l. intros l. induction b' as [|e b'' IH2]; simpl; constructor; auto.
    rewrite dot_scale_l, Qred_correct. ring.
  - rewrite dot_scale_l, Qred_correct. ring.
Qed.

Lemma dot_zeros_any {A} v (w : list A) : dot v (map (fun _ => 0) w) == 0.
Proof.
  revert v; induction w as [|a w IH]; intros [|c v]; simpl map;
    rewrite ?dot_nil_l, ?dot_nil_r; try reflexivity.
  rewrite dot_cons, IH. ring.
Qed.

Lemma dot_matvec_zero u S : dot u (matvec S []) == 0.
Proof.
  unfold matvec. rewrite (map_ext _ (fun _ => 0)) by (intros r; apply dot_nil_r).
  apply dot_zeros_any.
Qed.

Lemma quad_M2 atoms x : quad (M2_of atoms) x == sum (map (fun a => fst a * (dot x (snd a) * dot x (snd a))) atoms).
Proof.
  induction atoms as [|a atoms IH]; simpl M2_of; simpl map.
  - unfold quad, matvec. simpl. rewrite dot_nil_r. reflexivity.
  - rewrite quad_madd, quad_mscale, quad_outer, sum_cons, IH, (dot_comm (snd a) x). reflexivity.
Qed.

Lemma lin_M2 atoms x c S :
  dot c (matvec S (matvec (M2_of atoms) x)) ==
  sum (map (fun a => fst a * dot x (snd a) * dot c (matvec S (snd a))) atoms).
Proof.
  induction atoms as [|a atoms IH]; simpl M2_of; simpl map.
  - unfold matvec at 2. simpl map. rewrite dot_matvec_zero. reflexivity.
  - rewrite (dot_matvec_eqv _ _ _ _ (matvec_madd _ _ x)), dot_matvec_vadd, IH, sum_cons.
    rewrite (dot_matvec_eqv _ _ _ _ (eqv_trans _ _ _ (matvec_mscale _ _ x) (scale_eqv _ _ _ (matvec_outer _ x)))).
    rewrite !dot_matvec_scale, (dot_comm (snd a) x). ring.
Qed.

Lemma nth_vadd_any r s i : nth i (vadd r s) 0 == nth i r 0 + nth i s 0.
Proof.
  revert s i; induction r as [|a r IH]; intros [|b s] [|i]; simpl; try ring.
  - rewrite Qred_correct. ring.
  - apply IH.
Qed.

Lemma nth_scale_any p r i : nth i (scale p r) 0 == p * nth i r 0.
Proof.
  unfold scale. revert i; induction r as [|a r IH]; intros [|i]; simpl; try ring.
  - rewrite Qred_correct. ring.
  - apply IH.
Qed.

Lemma col_madd i A B : eqv (col i (madd A B)) (vadd (col i A) (col i B)).
Proof.
  unfold col. revert B; induction A as [|r A IH]; intros [|s B]; simpl; try apply eqv_refl.
  constructor; [rewrite Qred_correct; apply nth_vadd_any | apply IH].
Qed.

Lemma col_mscale i p M : eqv (col i (map (scale p) M)) (scale p (col i M)).
Proof.
  unfold col, scale at 2. rewrite !map_map. induction M as [|r M IH]; simpl; constructor; auto.
  rewrite Qred_correct. apply nth_scale_any.
Qed.

Lemma col_outer_gen i l0 l :
  eqv (map (fun bj => nth i (scale bj l0) 0) l) (map (fun a => Qred (nth i l0 0 * a)) l).
Proof.
  induction l as [|c l IH]; simpl; constructor; auto.
  rewrite nth_scale_any, Qred_correct. ring.
Qed.

Lemma col_outer i b : eqv (col i (outer b)) (scale (nth i b 0) b).
Proof. unfold col, outer, scale at 2. rewrite map_map. apply col_outer_gen. Qed.

Lemma sum_map_ext {A} (f g : A -> Q) l : (forall a, f a == g a) -> sum (map f l) == sum (map g l).
Proof. intros H. induction l as [|a l IH]; simpl map; [reflexivity|]. rewrite !sum_cons, IH, H. reflexivity. Qed.

Lemma sum_map_add {A} (f g : A -> Q) l : sum (map (fun a => f a + g a) l) == sum (map f l) + sum (map g l).
Proof. induction l as [|a l IH]; simpl map; [simpl; ring|]. rewrite !sum_cons, IH. ring. Qed.

Lemma sum_map_mul {A} k (f : A -> Q) l : sum (map (fun a => k * f a) l) == k * sum (map f l).
Proof. induction l as [|a l IH]; simpl map; [simpl; ring|]. rewrite !sum_cons, IH. ring. Qed.

Lemma tr_madd S A B : tr_prod S (madd A B) == tr_prod S A + tr_prod S B.
Proof.
  unfold tr_prod. rewrite <- sum_map_add. apply sum_map_ext. intros i.
  rewrite (dot_eqv_r _ _ _ (col_madd i A B)), dot_vadd_r. reflexivity.
Qed.

Lemma tr_mscale S p M : tr_prod S (map (scale p) M) == p * tr_prod S M.
Proof.
  unfold tr_prod. rewrite <- sum_map_mul. apply sum_map_ext. intros i.
  rewrite (dot_eqv_r _ _ _ (col_mscale i p M)), dot_scale_r. reflexivity.
Qed.

Lemma sum_seq_dot S b w :
  sum (map (fun i => nth i b 0 * dot (nth i S []) w) (seq 0 (length S))) ==
  dot b (map (fun r => dot r w) S).
Proof.
  revert b; induction S as [|r S IH]; intros b.
  - simpl. rewrite dot_nil_r. reflexivity.
  - destruct b as [|c b].
    + rewrite dot_nil_l. rewrite (sum_map_ext _ (fun _ => 0 * 0)) by (intros [|i]; simpl; ring).
      rewrite sum_map_mul. ring.
    + simpl length. rewrite <- cons_seq. simpl map at 1. rewrite sum_cons.
      rewrite <- seq_shift, map_map. simpl nth. simpl map. rewrite dot_cons, IH. reflexivity.
Qed.

Lemma tr_outer S b : tr_prod S (outer b) == quad S b.
Proof.
  unfold tr_prod, quad, matvec.
  rewrite (sum_map_ext _ (fun i => nth i b 0 * dot (nth i S []) b)).
  - apply sum_seq_dot.
  - intros i. rewrite (dot_eqv_r _ _ _ (col_outer i b)), dot_scale_r. reflexivity.
Qed.

Lemma tr_M2 S atoms : tr_prod S (M2_of atoms) == sum (map (fun a => fst a * quad S (snd a)) atoms).
Proof.
  induction atoms as [|a atoms IH]; simpl M2_of; simpl map.
  - unfold tr_prod, col. simpl.
    rewrite (sum_map_ext (fun i : nat => dot (nth i S []) []) (fun _ : nat => 0 * 0))
      by (intros; rewrite dot_nil_r; ring).
    rewrite sum_map_mul. simpl. ring.
  - rewrite tr_madd, tr_mscale, tr_outer, IH, sum_cons. reflexivity.
Qed.

Lemma G_expand S y c b : sym S ->
  quad S (vsub (scale y c) b) == y * y * quad S c - 2 * y * dot c (matvec S b) + quad S b.
Proof.
  intros Hs. unfold vsub. rewrite quad_vadd, dot_vadd_l, !quad_scale, !dot_scale_r.
  rewrite <- (dot_matvec_vecmat (scale y c) S b), dot_scale_l.
  rewrite (dot_comm (matvec S (scale y c)) b), dot_matvec_scale, (Hs b c). ring.
Qed.

Theorem E_disc_mom S x atoms c : sym S -> E_disc S x atoms c == E_mom S (M2_of atoms) x c.
Proof.
  intros Hs. unfold E_mom. rewrite quad_M2, lin_M2, tr_M2. unfold E_disc, G.
  rewrite (sum_map_ext _ (fun a => fst a * (dot x (snd a) * dot x (snd a) * quad S c -
     2 * dot x (snd a) * dot c (matvec S (snd a)) + quad S (snd a)))) by (intros a; rewrite G_expand; auto; reflexivity).
  induction atoms as [|a atoms IH]; simpl map; [simpl; ring|].
  rewrite !sum_cons, IH. ring.
Qed.
